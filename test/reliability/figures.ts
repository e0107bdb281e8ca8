import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

/** Where each suite writes `<suite>.json`; `print-report.ts` reads them back. */
export const REPORT_DIR = join(__dirname, '..', '..', 'test-reports', 'reliability');

/** What one scenario did, counted from the local services, the ledger and the dead-letter queue. */
export interface ScenarioFigures {
  /** Injected request faults, outages and killed instances. */
  readonly faultsInjected: number;
  /** Deliveries to the handler, redeliveries included. */
  readonly eventsSent: number;
  /** StopDeployment / CancelEnvironmentDeployment / CancelUpdateStack requests received, SDK retries included. */
  readonly actionCalls: number;
  /** Of those, the ones the service carried out. */
  readonly actionsApplied: number;
  /** Deliveries that ended in a final (not FAILED) ledger record. */
  readonly recorded: number;
  readonly deadLettered: number;
  /** Deliveries neither recorded nor dead-lettered. Must be 0. */
  readonly eventsLost: number;
  /** Stop or cancel calls carried out beyond one per deployment. Must be 0. */
  readonly duplicateActions: number;
  /** Wall time of the scenario, printed and never asserted. */
  readonly durationMs: number;
}

export interface SuiteReport {
  readonly suite: string;
  readonly scenarios: Array<ScenarioFigures & { readonly scenario: string }>;
}

const reports = new Map<string, SuiteReport>();

/**
 * Adds one scenario's figures to `test-reports/reliability/<suite>.json`
 * (rewritten on every call, so a suite that stops half way still reports
 * what it did) and returns them for the test to assert on.
 */
export function recordFigures(suite: string, scenario: string, figures: ScenarioFigures): ScenarioFigures {
  const report = reports.get(suite) ?? { suite, scenarios: [] };
  reports.set(suite, report);
  report.scenarios.push({ scenario, ...figures });
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(join(REPORT_DIR, `${suite}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return figures;
}
