// `npm run reliability`, after jest: one line per suite from
// test-reports/reliability/<suite>.json, and a non-zero exit if any event
// was lost or any stop or cancel was carried out twice. Durations are printed,
// never judged.
import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { REPORT_DIR, ScenarioFigures, SuiteReport } from './figures';

type Total = { -readonly [K in keyof ScenarioFigures | 'scenarios']: number };

const COLUMNS: Array<[keyof Total, string]> = [
  ['scenarios', 'scenarios'],
  ['faultsInjected', 'faults'],
  ['eventsSent', 'events'],
  ['actionCalls', 'stop/cancel calls'],
  ['actionsApplied', 'applied'],
  ['recorded', 'recorded'],
  ['deadLettered', 'dead-lettered'],
  ['eventsLost', 'lost'],
  ['duplicateActions', 'duplicate actions'],
];

function total(report: SuiteReport): Total {
  const sum: Total = {
    scenarios: report.scenarios.length,
    faultsInjected: 0,
    eventsSent: 0,
    actionCalls: 0,
    actionsApplied: 0,
    recorded: 0,
    deadLettered: 0,
    eventsLost: 0,
    duplicateActions: 0,
    durationMs: 0,
  };
  for (const scenario of report.scenarios) {
    for (const key of Object.keys(sum) as Array<keyof Total>) {
      if (key !== 'scenarios') sum[key] += scenario[key];
    }
  }
  return sum;
}

function main(): number {
  const files = existsSync(REPORT_DIR) ? readdirSync(REPORT_DIR).filter((file) => file.endsWith('.json')).sort() : [];
  if (files.length === 0) {
    console.error(`no reliability reports in ${REPORT_DIR}; run jest test/reliability first`);
    return 1;
  }
  let failed = false;
  const width = Math.max(...files.map((file) => file.length - '.json'.length));
  for (const file of files) {
    const report = JSON.parse(readFileSync(join(REPORT_DIR, file), 'utf8')) as SuiteReport;
    const sum = total(report);
    const ok = sum.eventsLost === 0 && sum.duplicateActions === 0;
    failed ||= !ok;
    const figures = COLUMNS.map(([key, label]) => `${label} ${sum[key]}`).join(', ');
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${report.suite.padEnd(width)}  ${figures}, ${(sum.durationMs / 1000).toFixed(1)} s`);
  }
  if (failed) {
    console.error('events were lost or a deployment was stopped twice; see test-reports/reliability/*.json');
  }
  return failed ? 1 : 0;
}

process.exitCode = main();
