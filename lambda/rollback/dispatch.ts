import type { AcceptedInput } from './parse-rollback-input';
import { RollbackOutcome } from '../../src/contract';
import { CallTrace } from '../shared/call-trace';
import type { Clients } from '../shared/clients';
import { AlarmPause, readAlarmPause } from '../shared/cloudwatch/read-alarm-pause';
import type { HandlerConfig } from '../shared/config';
import { HolderNotDoneError } from '../shared/errors';
import { ledgerActionClaims } from '../shared/ledger/action-claims';
import { claimEvent } from '../shared/ledger/claim-event';
import { LedgerKey, duplicateKey, eventKey, ledgerExpiry } from '../shared/ledger/ledger-keys';
import { targetRunner } from '../targets/registry';
import type { Decision } from '../targets/target-runner';

/** Time kept back from a wait for the claim's holder, for the record and the SNS publish after it. */
const RECORD_RESERVE_MS = 5_000;

/**
 * Longest the stop waits for the read of the alarm's actions switch and mute
 * rules. It runs once the event holds the deployment's claim, between the
 * claim and the stop: one round trip more for the one event that stops, and
 * none for the rest of a burst, which keeps a storm of alarm events inside
 * DescribeAlarms' quota (9 requests a second by default, CloudWatch User
 * Guide, "CloudWatch service quotas"). A slower read is given up, and the
 * event acts (our own figure: one DescribeAlarms round trip is tens of
 * milliseconds in the alarm's region).
 */
const PAUSE_READ_WAIT_MS = 1_000;

export interface DispatchRequest {
  readonly input: AcceptedInput;
  readonly clients: Clients;
  readonly config: HandlerConfig;
  readonly now: () => number;
  readonly requestId: string;
  /** Epoch milliseconds when the invocation began. */
  readonly startedAt: number;
  /** What Lambda says is left of the invocation, when it says. */
  readonly remainingMs?: number;
  /** The account the function runs in, from its invoked ARN; undefined when the invocation does not say. */
  readonly account?: string;
}

/** What dispatch found, for the record. */
export interface Dispatched {
  /** Where the record goes: the event's own key, or a duplicate's beside it. */
  readonly key: LedgerKey;
  readonly decision: Decision;
  /** The AWS failure behind a FAILED decision, thrown after the record. */
  readonly failure?: unknown;
  readonly identifiers: Record<string, string>;
  readonly calls: string[];
  /** Work after the call's answer (a claim marked DONE), to finish beside the record; never rejects. */
  readonly afterwards: Promise<void>;
}

/**
 * Runs one accepted event against its target: the read, the event's
 * duplicate check beside it, then at most one mutating call.
 */
export async function dispatch(request: DispatchRequest): Promise<Dispatched> {
  const { input: { target, event }, config, requestId, startedAt } = request;
  const trace = new CallTrace();
  const dynamo = request.clients.dynamo();
  const expiresAt = ledgerExpiry(config.retentionDays, startedAt);
  // The claim lease equals the function timeout, so an event that lost a
  // claim never waits past its own invocation.
  const budgetMs = Math.min(config.claimLeaseSeconds * 1000, request.remainingMs ?? Infinity);
  const afterwards: Array<Promise<void>> = [];
  // The CloudWatch client loads beside the runner, so on a cold start the
  // alarm read is ready to leave with the deployment read.
  if (!target.actOnPausedAlarms) {
    request.clients.cloudWatch().catch(() => undefined);
  }
  // The alarm's actions switch (and its mute rules), read at most once and
  // only when a delivery is about to act: see RunnerContext.actionsActive.
  // AppConfig's own monitors ignore a disabled alarm; so does a target that
  // does not act on paused alarms.
  let pauseRead: Promise<AlarmPause | undefined> | undefined;
  const readPause = () => (pauseRead ??= target.actOnPausedAlarms
    ? Promise.resolve(undefined)
    : readAlarmPause(request.clients, trace, event.alarmArn, PAUSE_READ_WAIT_MS, request.account));
  const runner = await targetRunner(target, {
    clients: request.clients,
    trace,
    dryRun: config.dryRun,
    actionsActive: () => readPause().then((pause) => pause?.state !== 'PAUSED'),
    now: request.now,
    alarmAt: event.alarmAt,
    waitUntil: startedAt + budgetMs - RECORD_RESERVE_MS,
    afterwards: (work) => void afterwards.push(work),
    claims: ledgerActionClaims(dynamo, {
      table: config.ledgerTable,
      eventId: event.id,
      targetName: target.name,
      now: request.now,
      leaseSeconds: config.claimLeaseSeconds,
      expiresAt,
    }),
  });
  const key = eventKey(target.name, event.time, event.id);
  // The read starts first, so it reaches the wire first; the duplicate check
  // runs beside it, and every call after the read waits for its answer. A
  // duplicate is recorded as such, whatever the read or the runner found.
  const inspecting = runner.inspect();
  const claimRequest = { table: config.ledgerTable, key, requestId, now: startedAt, leaseSeconds: config.claimLeaseSeconds, expiresAt };
  const claiming = nextTurn().then(() => claimEvent(dynamo, claimRequest));
  const mayAct = () => claiming.then((claim) => claim.status !== 'DUPLICATE');
  const acting = inspecting.then((inspection) => runner.act(inspection, mayAct));
  const [claim, action] = await Promise.allSettled([claiming, acting]);
  const pause = pauseRead ? await pauseRead : undefined;
  const found = { identifiers: runner.identifiers, calls: trace.list(), afterwards: Promise.all(afterwards).then(() => undefined) };

  if (claim.status === 'fulfilled' && claim.value.status === 'DUPLICATE') {
    const decision = { outcome: RollbackOutcome.DUPLICATE, reason: `event ${event.id} was already handled for target ${target.name}` };
    return { ...found, key: duplicateKey(key, requestId), decision };
  }
  if (pause?.state === 'PAUSED') {
    const decision = {
      outcome: RollbackOutcome.IGNORED,
      reason: `alarm ${event.alarmName} is ${event.state}, but ${pause.reason}; target ${target.name} does not act on paused alarms`,
    };
    return { ...found, key, decision };
  }
  if (action.status === 'fulfilled' && action.value !== undefined) {
    const note = pause?.state === 'UNKNOWN' ? `; acted without knowing whether the alarm's actions are paused: ${pause.reason}` : '';
    return { ...found, key, decision: { ...action.value, reason: `${action.value.reason}${note}` } };
  }
  // Only a duplicate makes a runner hold back, and it was handled above.
  const failure = action.status === 'rejected' ? action.reason : new Error('the runner held back although the event was not a duplicate');
  const what = failure instanceof HolderNotDoneError
    ? 'another event holds the claim on the call, and the stop it was to make was not seen'
    : 'an AWS call failed after the SDK retries';
  const decision = { outcome: RollbackOutcome.FAILED, reason: `${what}; Lambda retries the event, then sends it to the dead-letter queue` };
  return { ...found, key, decision, failure };
}

/**
 * Resolves on the event loop's next turn, once the work queued now is done:
 * the read's request is on the wire before the duplicate check starts
 * building its own.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
