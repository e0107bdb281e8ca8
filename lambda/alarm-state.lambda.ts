import { AlarmStateConfig, readAlarmStateConfig } from './alarm-state/alarm-state-config';
import { CheckResult } from './alarm-state/decide-check';
import { parseExtensionPayload } from './alarm-state/parse-extension-payload';
import { CheckDone, TickAnswer, checkTrigger, runCheck } from './alarm-state/run-check';
import { Clients, lazyClients } from './clients';
import { errorText } from './errors';
import { placeOf } from './function-place';
import { UNKNOWN_TARGET, requestIdOf } from './invocation';
import { eventKey } from './ledger/ledger-keys';
import { alarmStateCheckMetric } from './record/emf-metrics';
import { logLine } from './record/log-line';
import { recordOutcome } from './record/record-outcome';
import { AlarmReadFailurePolicy, RollbackOutcome, RollbackRecord, TargetKind, Trigger } from '../src/private/contract';

/** Longest Description in an answer: our own cap, AWS documents none. */
const MAX_DESCRIPTION_LENGTH = 1024;

export interface AlarmStateDependencies {
  readonly clients: Clients;
  readonly config: () => AlarmStateConfig;
  readonly now: () => number;
  /** The function's region, where its credentials can read alarms. */
  readonly region: () => string;
}

export interface AlarmStateContext {
  readonly awsRequestId?: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the account alarms are read in. */
  readonly invokedFunctionArn?: string;
}

/**
 * Refuses a deployment's start. PRE_START_DEPLOYMENT is a PRE_* action
 * point: an error from the function prevents the action (AppConfig User
 * Guide, "Step 3: Create a custom AWS AppConfig extension").
 */
export class DeploymentBlockedError extends Error {
  public readonly name = 'DeploymentBlockedError';
}

/**
 * The alarm-state check AppConfig's extension invokes: parse -> check ->
 * answer and record. At AT_DEPLOYMENT_TICK it answers `{ Directive, Description }`;
 * AppConfig waits for it synchronously, and an error or timeout makes
 * AppConfig roll the deployment back (same User Guide page), which is what
 * the ROLL_BACK policy asks for. Under CONTINUE the read is cut at its budget
 * so a slow CloudWatch never turns into an error; a crash of the function
 * itself (out of memory, an unhandled defect) still reaches AppConfig as an
 * error and rolls the deployment back, whatever the policy.
 */
export function createAlarmStateHandler(deps: AlarmStateDependencies) {
  return async (payload: unknown, context: AlarmStateContext = {}): Promise<TickAnswer> => {
    const startedAt = deps.now();
    const config = deps.config();
    const requestId = requestIdOf(context.awsRequestId, startedAt);
    const metric = (target: string, trigger: string, result: string, invocationId?: string) =>
      console.log(alarmStateCheckMetric({ rollback: config.rollbackName, target, trigger, result, invocationId, durationMs: deps.now() - startedAt },
        config.metricNamespace, deps.now()));
    const record = (fields: Omit<RollbackRecord, 'rollback' | 'target' | 'eventId' | 'apiCalls' | 'durationMs' | 'recordedAt'>
      & { target?: string; eventId?: string; apiCalls?: string[] }): RollbackRecord => {
      const finishedAt = deps.now();
      return {
        ...fields,
        rollback: config.rollbackName,
        target: fields.target ?? UNKNOWN_TARGET,
        eventId: fields.eventId ?? requestId,
        apiCalls: fields.apiCalls ?? [],
        durationMs: finishedAt - startedAt,
        recordedAt: new Date(finishedAt).toISOString(),
        requestId,
      };
    };

    // Parse. A payload the check cannot read is a defect of the construct's
    // deployment (an association edited or left from another release): it is
    // recorded as REJECTED, and answered by the read-failure policy, because
    // to AppConfig it is the same case as an unreadable alarm: the check
    // cannot tell whether an alarm fires.
    const call = parseExtensionPayload(payload);
    if (!call.ok) {
      const trigger = call.point === 'START' ? Trigger.DEPLOYMENT_START : Trigger.DEPLOYMENT_TICK;
      const rejected = record({
        outcome: RollbackOutcome.REJECTED,
        reason: `${call.reason}; the read-failure policy ${config.alarmReadFailure} decides the answer`,
        trigger,
        target: call.target?.name,
        targetKind: TargetKind.APPCONFIG,
        eventId: call.invocationId,
        applicationId: call.target?.applicationId,
        environmentId: call.target?.environmentId,
      });
      metric(rejected.target, trigger, CheckResult.REJECTED, call.invocationId);
      const key = eventKey(rejected.target, rejected.recordedAt, rejected.eventId);
      await recordOutcome(rejected, key, config, deps.clients, deps.now()).catch(() => undefined);
      if (config.alarmReadFailure === AlarmReadFailurePolicy.CONTINUE) {
        return { Directive: 'CONTINUE', Description: cut(rejected.reason) };
      }
      if (call.point === 'START') {
        throw new DeploymentBlockedError(cut(rejected.reason));
      }
      return { Directive: 'ROLL_BACK', Description: cut(rejected.reason) };
    }

    // Check.
    const trigger = checkTrigger(call.point);
    const { target } = call;
    let done: CheckDone;
    try {
      const where = placeOf(deps.region(), context.invokedFunctionArn);
      done = await runCheck({ call, config, clients: deps.clients, now: deps.now, place: where, startedAt });
    } catch (error) {
      // Nothing in the check should throw (the read's failures are its
      // policy's); a defect that does reaches AppConfig as an error, which
      // rolls the deployment back.
      logLine('ERROR', 'alarm-state check failed', { target: target.name, trigger, invocationId: call.invocationId, error: errorText(error) });
      throw error;
    }

    // Answer and record.
    metric(target.name, trigger, done.result, call.invocationId);
    if (done.decision) {
      const kept = record({
        ...done.decision,
        trigger,
        target: target.name,
        targetKind: TargetKind.APPCONFIG,
        eventId: call.invocationId,
        applicationId: target.applicationId,
        environmentId: target.environmentId,
        deploymentNumber: call.deploymentNumber,
        apiCalls: done.calls,
      });
      const key = eventKey(target.name, kept.recordedAt, call.invocationId);
      // The answer must not wait on a slow ledger more than its client allows;
      // a failed write is in the log line recordOutcome writes first.
      await Promise.all([recordOutcome(kept, key, config, deps.clients, deps.now()).catch(() => undefined), done.afterwards]);
    } else if (done.result === CheckResult.UNREADABLE) {
      logLine('WARN', 'alarm-state check could not read the alarms', { target: target.name, trigger, invocationId: call.invocationId, note: done.note });
    } else if (done.result === CheckResult.MISSING) {
      // Already recorded for this deployment: the log still names the gap at every check.
      logLine('WARN', 'alarm-state check did not find some of the target\'s alarms', { target: target.name, trigger, invocationId: call.invocationId, note: done.note });
    } else if (done.note) {
      logLine('INFO', 'alarm-state check', { target: target.name, trigger, invocationId: call.invocationId, result: done.result, note: done.note });
    }
    if (done.blocked) {
      throw new DeploymentBlockedError(cut(done.answer.Description));
    }
    return { Directive: done.answer.Directive, Description: cut(done.answer.Description) };
  };
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
});
