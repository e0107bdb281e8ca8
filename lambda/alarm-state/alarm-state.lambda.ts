import { performance } from 'perf_hooks';
import { ANSWER_BUDGET_MS, NOTIFY_GRACE_MS, answerDeadline, beforeDeadline } from './answer-deadline';
import { AlarmStateCheckResult } from './decide-check';
import { CheckPoint, parseExtensionPayload } from './parse-extension-payload';
import { CheckDone, TickAnswer, checkTrigger, runCheck } from './run-check';
import { AlarmStateTargetParameter, Metrics, RollbackOutcome, RollbackRecord, TargetKind, RollbackTrigger } from '../../src/contract';
import { Clients, lazyClients } from '../shared/clients';
import { AlarmStateConfig, readAlarmStateConfig, readRollbackName } from '../shared/config';
import { DeploymentBlockedError, errorText } from '../shared/errors';
import { placeOf } from '../shared/function-place';
import { UNKNOWN_TARGET, requestIdOf } from '../shared/invocation';
import { eventKey } from '../shared/ledger/ledger-keys';
import { RecordFields, buildRecord } from '../shared/record/build-record';
import { alarmStateCheckMetric, recordNotKeptMetric } from '../shared/record/emf-metrics';
import { logLine } from '../shared/record/log-line';
import { notifies, publish, recordOutcome } from '../shared/record/record-outcome';

/** Longest Description in an answer: our own cap, AWS documents none. */
const MAX_DESCRIPTION_LENGTH = 1024;

export interface AlarmStateDependencies {
  readonly clients: Clients;
  readonly config: () => AlarmStateConfig;
  readonly now: () => number;
  /** The function's region, where its credentials can read alarms. */
  readonly region: () => string;
  /** The rollback's name when the configuration cannot be read, for the fault metric. */
  readonly rollbackName?: () => string;
  /** Epoch ms the runtime started (its Init phase), so the first invocation's answer deadline counts it. */
  readonly runtimeStartedAt?: number;
}

export interface AlarmStateContext {
  readonly awsRequestId?: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the account alarms are read in. */
  readonly invokedFunctionArn?: string;
}

/** What the check came to: an answer, or a start to refuse (thrown only at the very end). */
type Verdict = { readonly answer: TickAnswer } | { readonly refuse: string };

/** Slack past the answer deadline before the check gives up on itself (see `answer-deadline.ts`). */
const GIVE_UP_AFTER_DEADLINE_MS = 100;

/**
 * The alarm-state check AppConfig's extension invokes: parse -> check ->
 * answer and record. At AT_DEPLOYMENT_TICK it answers `{ Directive, Description }`;
 * AppConfig waits for it synchronously, and an error or a late answer makes
 * AppConfig roll the deployment back (same User Guide page).
 *
 * Three kinds of case, three answers (the README's "When the check itself
 * fails"):
 * - an alarm in a trigger state is evidence about the deployment: ROLL_BACK
 *   at a tick, a refused start where the target blocks starts;
 * - alarms whose state cannot be read are the user's policy
 *   (`alarmReadFailure`);
 * - everything that is our own defect or the configuration's (a payload or
 *   association the check cannot read, parameters naming another environment,
 *   an unexpected exception, no decision by the deadline) answers CONTINUE and
 *   allows a start, loudly: an ERROR log line, a REJECTED record, the
 *   AlarmStateFaultCount metric and the watcher alarm on it. The alarm
 *   events keep guarding the deployment meanwhile.
 *
 * Every case answers by the deadline of `answer-deadline.ts` (1.5 s after the
 * handler starts; on a cold start 1.8 s after the runtime started): the read,
 * the claim and the ledger write are each cut at their share of it, an SNS
 * publish is waited for only briefly past the ledger write, and a record the
 * ledger has not confirmed by then is written in full to the log with
 * RecordNotKeptCount.
 */
export function createAlarmStateHandler(deps: AlarmStateDependencies) {
  let cold = true;
  return async (payload: unknown, context: AlarmStateContext = {}): Promise<TickAnswer> => {
    const startedAt = deps.now();
    const deadline = answerDeadline(startedAt, cold ? deps.runtimeStartedAt : undefined);
    cold = false;
    const requestId = requestIdOf(context.awsRequestId, startedAt);
    let config: AlarmStateConfig;
    try {
      config = deps.config();
    } catch (error) {
      // The construct writes the environment: an unreadable one is ours to fix, never the deployment's fault.
      const rollback = deps.rollbackName?.() ?? '';
      logLine('ERROR', 'alarm-state check fault: its configuration cannot be read; answered CONTINUE', { rollback, error: errorText(error) });
      const check = {
        rollback,
        target: UNKNOWN_TARGET,
        trigger: RollbackTrigger.DEPLOYMENT_TICK,
        result: AlarmStateCheckResult.FAULT,
        durationMs: deps.now() - startedAt,
      };
      console.log(alarmStateCheckMetric(check, Metrics.DEFAULT_NAMESPACE, deps.now()));
      return { Directive: 'CONTINUE', Description: cut(`the alarm-state check cannot read its configuration (${errorText(error)}); it lets the deployment go on`) };
    }
    const scope: CheckScope = { deps, config, startedAt, deadline, requestId };

    let seen: Partial<FaultSubject> = {};
    const work = checkAndRecord(scope, payload, context, (subject) => { seen = subject; });
    let verdict: Verdict;
    try {
      const bounded = await beforeDeadline(work, deadline + GIVE_UP_AFTER_DEADLINE_MS, deps.now);
      verdict = bounded.settled
        ? bounded.value
        : await fault(scope, seen, AlarmStateCheckResult.FAULT, `the check did not decide within its answer budget (${ANSWER_BUDGET_MS} ms, less on a cold start)`);
    } catch (error) {
      verdict = await fault(scope, seen, AlarmStateCheckResult.FAULT, `the check failed: ${errorText(error)}`);
    }
    if ('refuse' in verdict) {
      throw new DeploymentBlockedError(cut(verdict.refuse));
    }
    return { Directive: verdict.answer.Directive, Description: cut(verdict.answer.Description) };
  };
}

interface CheckScope {
  readonly deps: AlarmStateDependencies;
  readonly config: AlarmStateConfig;
  readonly startedAt: number;
  readonly deadline: number;
  readonly requestId: string;
}

/** What a fault's record can say about the call, as far as it was read. */
interface FaultSubject {
  readonly point: CheckPoint;
  readonly invocationId: string;
  readonly target: AlarmStateTargetParameter;
  readonly deploymentNumber: number;
}

async function checkAndRecord(
  scope: CheckScope,
  payload: unknown,
  context: AlarmStateContext,
  saw: (subject: Partial<FaultSubject>) => void,
): Promise<Verdict> {
  const { deps, config, startedAt, deadline } = scope;
  const call = parseExtensionPayload(payload);
  saw({ point: call.point, invocationId: call.invocationId, target: call.target, deploymentNumber: call.ok ? call.deploymentNumber : undefined });
  if (!call.ok) {
    return fault(scope, call, AlarmStateCheckResult.REJECTED, call.reason);
  }

  const trigger = checkTrigger(call.point);
  const { target } = call;
  const where = placeOf(deps.region(), context.invokedFunctionArn);
  const done: CheckDone = await runCheck({ call, config, clients: deps.clients, now: deps.now, place: where, startedAt, deadline });
  metric(scope, target.name, trigger, done.result, call.invocationId);
  const notes = call.notes.length > 0 ? ` (${call.notes.join('; ')})` : '';
  if (call.notes.length > 0) {
    logLine('WARN', 'alarm-state check read a payload with gaps; they do not change the answer', { target: target.name, trigger, invocationId: call.invocationId, notes: call.notes });
  }
  if (done.decision) {
    const kept = record(scope, {
      ...done.decision,
      reason: `${done.decision.reason}${notes}`,
      trigger,
      target: target.name,
      targetKind: TargetKind.APPCONFIG,
      eventId: call.invocationId,
      applicationId: target.applicationId,
      environmentId: target.environmentId,
      deploymentNumber: call.deploymentNumber,
      apiCalls: done.calls,
    });
    await Promise.all([keep(scope, kept), beforeDeadline(done.afterwards, deadline, deps.now)]);
  } else if (done.result === AlarmStateCheckResult.UNREADABLE) {
    logLine('WARN', 'alarm-state check could not read the alarms', { target: target.name, trigger, invocationId: call.invocationId, note: done.note });
  } else if (done.result === AlarmStateCheckResult.MISSING) {
    // Already recorded for this deployment: the log still names the gap at every check.
    logLine('WARN', 'alarm-state check did not find some of the target\'s alarms', { target: target.name, trigger, invocationId: call.invocationId, note: done.note });
  } else if (done.note) {
    logLine('INFO', 'alarm-state check', { target: target.name, trigger, invocationId: call.invocationId, result: done.result, note: done.note });
  }
  if (done.blocked) {
    return { refuse: done.answer.Description };
  }
  return { answer: done.answer };
}

/**
 * The check's own fault, or its configuration's: CONTINUE at a tick, a start
 * allowed, and every trace of it that can be left. Never throws.
 */
async function fault(scope: CheckScope, subject: Partial<FaultSubject>, result: AlarmStateCheckResult, what: string): Promise<Verdict> {
  const trigger = subject.point === 'START' ? RollbackTrigger.DEPLOYMENT_START : RollbackTrigger.DEPLOYMENT_TICK;
  const answer = `${what}; the alarm-state check let the deployment go on (its own faults never roll back or refuse a deployment), and alarm events still roll it back`;
  const rejected = record(scope, {
    outcome: RollbackOutcome.REJECTED,
    reason: answer,
    trigger,
    target: subject.target?.name,
    targetKind: TargetKind.APPCONFIG,
    eventId: subject.invocationId,
    applicationId: subject.target?.applicationId,
    environmentId: subject.target?.environmentId,
    deploymentNumber: subject.deploymentNumber,
    error: what,
  });
  logLine('ERROR', 'alarm-state check fault: answered CONTINUE', { ...rejected, result });
  metric(scope, rejected.target, trigger, result, subject.invocationId);
  await keep(scope, rejected).catch(() => undefined);
  return { answer: { Directive: 'CONTINUE', Description: answer } };
}

function metric(scope: CheckScope, target: string, trigger: string, result: string, invocationId?: string): void {
  const { deps, config, startedAt } = scope;
  console.log(alarmStateCheckMetric({ rollback: config.rollbackName, target, trigger, result, invocationId, durationMs: deps.now() - startedAt },
    config.metricNamespace, deps.now()));
}

function record(scope: CheckScope, fields: RecordFields): RollbackRecord {
  const { config, requestId, startedAt } = scope;
  return buildRecord(fields, { rollback: config.rollbackName, requestId, startedAt, finishedAt: scope.deps.now() });
}

/**
 * Writes a record to the ledger until the answer deadline, and to the topic
 * (for the outcomes it takes) beside it, waiting for the topic only
 * `NOTIFY_GRACE_MS` past the ledger: no SNS answer holds the deployment's.
 * A record the ledger has not confirmed by the deadline is not lost: this
 * ERROR line carries it whole and RecordNotKeptCount counts it (the write
 * itself may still land once the function thaws).
 */
async function keep(scope: CheckScope, kept: RollbackRecord): Promise<void> {
  const { deps, config, deadline } = scope;
  const key = eventKey(kept.target, kept.recordedAt, kept.eventId);
  const topicArn = config.topicArn;
  const notice = topicArn && notifies(config, kept) ? publish(deps.clients, topicArn, kept) : undefined;
  const written = recordOutcome(kept, key, { ...config, topicArn: undefined }, deps.clients, deps.now()).then(() => true, () => false);
  const bounded = await beforeDeadline(written, deadline, deps.now);
  if (!bounded.settled || !bounded.value) {
    logLine('ERROR', 'the ledger did not keep this alarm-state record by the answer deadline; this line is the record', { record: kept });
    console.log(recordNotKeptMetric(config.rollbackName, kept.eventId, config.metricNamespace, deps.now()));
  }
  if (notice) {
    const outcome = notice.then(() => true, (error: unknown) => errorText(error));
    const sent = await beforeDeadline(outcome, Math.min(deadline, deps.now() + NOTIFY_GRACE_MS), deps.now);
    if (!sent.settled || sent.value !== true) {
      logLine('WARN', 'the notification was not confirmed before the answer; the record is in the ledger and the log', {
        eventId: kept.eventId, outcome: kept.outcome, error: sent.settled ? sent.value : 'no answer from SNS in time',
      });
    }
  }
}

function cut(text: string): string {
  return text.length > MAX_DESCRIPTION_LENGTH ? `${text.slice(0, MAX_DESCRIPTION_LENGTH - 3)}...` : text;
}

let config: AlarmStateConfig | undefined;

export const handler = createAlarmStateHandler({
  clients: lazyClients(),
  config: () => (config ??= readAlarmStateConfig()),
  now: Date.now,
  region: () => process.env.AWS_REGION ?? '',
  rollbackName: () => readRollbackName(),
  runtimeStartedAt: performance.timeOrigin,
});
