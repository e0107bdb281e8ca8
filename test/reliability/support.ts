import { ScanCommand, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ScenarioFigures, recordFigures } from './figures';
import {
  AsyncInvoker,
  AsyncInvokerOptions,
  DeadLetter,
  HandlerInstance,
  LocalDynamo,
  RecordedRequest,
  SharedClock,
  wallClock,
} from '../../local';
import { Ledger, RollbackInput } from '../../src/contract';
import { alarmArn, alarmEvent, happeningNow } from '../support/alarm-event';
import { ROLLBACK_NAME, handlerEnv } from '../support/handler-env';
import { TABLE, constructDefaults, startLedger } from '../support/synthesized-ledger';

export { TABLE, constructDefaults, startLedger };
export { ROLLBACK_NAME, handlerEnv };
export { alarmArn, alarmEvent, happeningNow };
export { appConfigTarget, protonTarget, ruleInput, stackTarget } from '../support/rule-input';

let clock: SharedClock | undefined;

/**
 * Puts the suite on one virtual clock shared by the test, the local services
 * and every handler instance `invokerFor` starts: backoffs, request timeouts,
 * claim polls and injected latency pass as soon as nothing else can happen,
 * instead of on the wall clock (see local/shared-clock.ts).
 */
export function useSharedClock(): void {
  beforeAll(() => {
    clock = new SharedClock();
    clock.start();
  });
  afterAll(() => {
    clock?.stop();
    clock = undefined;
  });
}

export { wallClock };

/**
 * `count` execution environments of the bundled handler behind one
 * asynchronous invoker that retries as often as the construct configures.
 */
export function invokerFor(env: Record<string, string>, count = 1, options: Partial<AsyncInvokerOptions> = {}): AsyncInvoker {
  return new AsyncInvoker({
    instances: Array.from({ length: count }, () => HandlerInstance.start({ env, clock })),
    startInstance: () => HandlerInstance.start({ env, clock }),
    retryAttempts: constructDefaults().asyncRetryAttempts,
    ...options,
  });
}

/** One ledger record (claims on deployments and unfinished event claims are not records). */
export interface LedgerRecord {
  readonly pk: string;
  readonly sk: string;
  readonly outcome?: string;
  readonly eventId?: string;
  readonly claimState?: string;
  readonly deploymentNumber?: number;
  readonly applicationId?: string;
  readonly environmentId?: string;
  readonly environmentName?: string;
}

/** Every event item of the ledger, recorded or still claimed. Bounded: the tests write a few hundred items. */
export async function ledgerItems(dynamo: LocalDynamo): Promise<LedgerRecord[]> {
  const items: LedgerRecord[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  for (let page = 0; page < 100; page++) {
    const answer = await dynamo.client.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of answer.Items ?? []) {
      if (!item.pk.S?.startsWith(Ledger.TARGET_PREFIX)) continue;
      items.push({
        pk: item.pk.S,
        sk: item.sk.S!,
        outcome: item.outcome?.S,
        eventId: item.eventId?.S,
        claimState: item.claimState?.S,
        deploymentNumber: item.deploymentNumber?.N === undefined ? undefined : Number(item.deploymentNumber.N),
        applicationId: item.applicationId?.S,
        environmentId: item.environmentId?.S,
        environmentName: item.environmentName?.S,
      });
    }
    start = answer.LastEvaluatedKey;
    if (!start) return items;
  }
  throw new Error('the ledger scan did not end within 100 pages');
}

/** Outcome name -> how many records carry it. */
export function countOutcomes(records: readonly LedgerRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const outcome = record.outcome ?? `(${record.claimState ?? 'no outcome'})`;
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

/** The event id inside a rule input, for matching dead letters to events. */
export function eventIdOf(input: unknown): string {
  return String(((input as RollbackInput).event as { id?: unknown }).id);
}

export interface Accounting {
  /** Deliveries that ended in a final (not FAILED) ledger record. */
  readonly recorded: number;
  readonly deadLettered: number;
  /**
   * Deliveries neither recorded nor dead-lettered, counted event by event. An
   * event may be both (its record landed, yet the attempt failed and was
   * dead-lettered), so recorded + deadLettered can exceed what was sent.
   */
  readonly lost: number;
}

/**
 * Accounts for every delivery event by event: each one must end in a final
 * ledger record (the event's own or a DUPLICATE record beside it) or on the
 * dead-letter queue. A surplus on one event cannot hide a loss on another.
 */
export function account(deliveredEventIds: readonly string[], records: readonly LedgerRecord[], deadLetters: readonly DeadLetter[]): Accounting {
  const sent = tally(deliveredEventIds);
  const final = tally(records.filter((record) => record.outcome && record.outcome !== 'FAILED').map((record) => eventIdFromKey(record.sk)));
  const dead = tally(deadLetters.map((letter) => eventIdOf(letter.input)));
  let recorded = 0;
  let deadLettered = 0;
  let lost = 0;
  for (const [eventId, deliveries] of sent) {
    const kept = Math.min(deliveries, final.get(eventId) ?? 0);
    const parked = Math.min(deliveries, dead.get(eventId) ?? 0);
    recorded += kept;
    deadLettered += parked;
    lost += Math.max(0, deliveries - kept - parked);
  }
  return { recorded, deadLettered, lost };
}

/** `EVENT#<time>#<id>` or `EVENT#<time>#<id>#DUPLICATE#<request id>` -> `<id>`. */
function eventIdFromKey(sk: string): string {
  const match = /^EVENT#[^#]+#([^#]+)/.exec(sk);
  return match ? match[1] : sk;
}

function tally(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  values.forEach((value) => counts.set(value, (counts.get(value) ?? 0) + 1));
  return counts;
}

/** Requests of `operation`. */
export const callsOf = (requests: readonly RecordedRequest[], operation: string) => requests.filter((request) => request.operation === operation);

/** Requests the service carried out (their answer may still have been lost). */
export const appliedOf = (requests: readonly RecordedRequest[], operation: string) =>
  callsOf(requests, operation).filter((request) => request.applied);

/**
 * Stop or cancel calls carried out beyond the first for the same deployment:
 * the figure that must be 0. `deploymentOf` names a request's deployment.
 */
export function duplicateActions(
  requests: readonly RecordedRequest[],
  operation: string,
  deploymentOf: (request: RecordedRequest) => string,
): number {
  const perDeployment = tally(appliedOf(requests, operation).map(deploymentOf));
  return [...perDeployment.values()].reduce((sum, applied) => sum + Math.max(0, applied - 1), 0);
}

/** An AppConfig StopDeployment's deployment: application/environment/number. */
export const appConfigDeployment = (request: RecordedRequest) =>
  `${request.params.ApplicationId}/${request.params.EnvironmentId}/${request.params.DeploymentNumber}`;

/** A Proton cancel's environment (one deployment runs per environment at a time). */
export const protonEnvironment = (request: RecordedRequest) => String(request.params.environmentName);
/** A cancel's update: its token is derived from the update's claim, so two cancels of one update carry the same one. */
export const stackUpdate = (request: RecordedRequest) => `${String(request.params.StackName)}#${String(request.params.ClientRequestToken)}`;

/** Requests that had a fault injected. */
export const faultsIn = (...requestLists: ReadonlyArray<readonly RecordedRequest[]>) =>
  requestLists.reduce((sum, requests) => sum + requests.filter((request) => request.fault).length, 0);

/** The outcome of the handler's `rollback outcome` log lines in `logs`, in order. */
export function loggedOutcomes(logs: readonly string[]): string[] {
  const outcomes: string[] = [];
  for (const line of logs) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { message?: string; outcome?: string };
    if (parsed.message === 'rollback outcome' && parsed.outcome) outcomes.push(parsed.outcome);
  }
  return outcomes;
}

/**
 * Polls `condition` every 10 ms until it holds; fails after `timeoutMs`.
 * For waiting on a side effect (a stop applied), never for asserting a duration.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a scenario's figures come from: the service that acts, the ledger, the dead-letter queue. */
export interface FigureSources {
  readonly suite: string;
  readonly scenario: string;
  readonly inputs: readonly unknown[];
  /** The requests the acting service received, and the operation that acts. */
  readonly requests: readonly RecordedRequest[];
  readonly action: 'StopDeployment' | 'CancelEnvironmentDeployment' | 'CancelUpdateStack';
  readonly ledger: LocalDynamo;
  readonly deadLetters: readonly DeadLetter[];
  /** Requests at other faulting hops (a proxy in front of the ledger). */
  readonly otherRequests?: readonly RecordedRequest[];
  /** Faults injected outside any recorded request (a closed port). */
  readonly extraFaults?: number;
  /** `wallClock()` when the scenario started. */
  readonly startedAt: number;
}

/** Counts a scenario the same way in every suite, and writes it for `npm run reliability`. */
export async function recordScenario(sources: FigureSources): Promise<ScenarioFigures> {
  const accounting = account(sources.inputs.map(eventIdOf), await ledgerItems(sources.ledger), sources.deadLetters);
  const deploymentOf = {
    StopDeployment: appConfigDeployment,
    CancelEnvironmentDeployment: protonEnvironment,
    CancelUpdateStack: stackUpdate,
  }[sources.action];
  return recordFigures(sources.suite, sources.scenario, {
    faultsInjected: faultsIn(sources.requests, sources.otherRequests ?? []) + (sources.extraFaults ?? 0),
    eventsSent: sources.inputs.length,
    actionCalls: callsOf(sources.requests, sources.action).length,
    actionsApplied: appliedOf(sources.requests, sources.action).length,
    recorded: accounting.recorded,
    deadLettered: accounting.deadLettered,
    eventsLost: accounting.lost,
    duplicateActions: duplicateActions(sources.requests, sources.action, deploymentOf),
    durationMs: wallClock() - sources.startedAt,
  });
}
