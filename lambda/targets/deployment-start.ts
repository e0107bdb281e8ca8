import type { Decision } from './target-runner';
import { AlarmReadFailure, AlarmStateCheckResult, RollbackOutcome, RollbackRecord, RollbackTrigger, TargetInput, parseAlarmArn } from '../../src/contract';
import { CallTrace } from '../shared/call-trace';
import type { Clients } from '../shared/clients';
import { AlarmRead, readTargetAlarms } from '../shared/cloudwatch/read-target-alarms';
import { DEFAULT_ALARM_READ_BUDGET_MS, HandlerConfig } from '../shared/config';
import { errorText } from '../shared/errors';
import { alarmStateCheckMetric } from '../shared/record/emf-metrics';
import type { AcceptedInput } from '../shared/wire/alarm-event';

/**
 * A deployment starting, seen through its service's status-change event (a
 * Proton environment going IN_PROGRESS, a stack going UPDATE_IN_PROGRESS):
 * what each kind's reader of that event hands the rollback entry.
 */
export interface DeploymentStartInput {
  readonly ok: true;
  readonly target: TargetInput;
  readonly start: {
    /** The status event's envelope. */
    readonly id: string;
    readonly time: string;
    /** What starts, for reasons and errors: "a deployment of environment prod", "an update of stack Checkout". */
    readonly what: string;
  };
  /**
   * What an unreadable alarm does: CONTINUE lets the deployment go on and
   * ROLL_BACK cancels it, as the other start gates do; undefined records
   * FAILED and has Lambda retry the event (the Proton start).
   */
  readonly alarmReadFailure?: AlarmReadFailure;
}

/** What the rollback entry does with a deployment's start. */
export type DeploymentStart =
  /** Nothing to record: the check metric is its only trace, as at an AppConfig start. */
  | { readonly kind: 'QUIET'; readonly decision: Decision; readonly fields: Partial<RollbackRecord>; readonly calls: string[] }
  /** The alarms could not be read, and no policy says what that does: recorded as FAILED, then `error` is thrown so Lambda retries the event. */
  | { readonly kind: 'UNREADABLE'; readonly decision: Decision; readonly fields: Partial<RollbackRecord>; readonly error: unknown }
  /**
   * An alarm fires (or the alarms cannot be read and the policy is
   * ROLL_BACK): `input` goes through dispatch like an alarm event, and
   * `explain` prefixes the runner's decision with why.
   */
  | {
    readonly kind: 'CANCEL';
    readonly input: AcceptedInput;
    readonly fields: Partial<RollbackRecord>;
    readonly calls: string[];
    readonly explain: (decision: Decision) => Decision;
  };

export interface DeploymentStartScope {
  readonly clients: Clients;
  readonly config: HandlerConfig;
  readonly now: () => number;
  /** Epoch milliseconds when the invocation began, for the check metric's duration. */
  readonly startedAt: number;
}

/**
 * The start branch of the rollback entry, whole, for every kind whose starts
 * arrive as status-change events. The target's alarms are read first (the
 * same read, trigger states and pause rules as the alarm-state check); only a
 * firing one sends the deployment on to the kind's runner, which cancels it
 * under the per-deployment claim the alarm-event path takes, so a start and
 * an alarm event make one cancel between them. A quiet start writes the
 * check metric and no record. An unreadable read follows the target's
 * read-failure policy when it has one, as the AppConfig start gate and the
 * bake gate do; without one it is recorded as FAILED and retried.
 */
export async function deploymentStart(parsed: DeploymentStartInput, scope: DeploymentStartScope): Promise<DeploymentStart> {
  const { start, target, alarmReadFailure } = parsed;
  const { config, now } = scope;
  const fields: Partial<RollbackRecord> = {
    eventId: start.id,
    eventTime: start.time,
    target: target.name,
    targetKind: target.kind,
    trigger: RollbackTrigger.DEPLOYMENT_START,
  };
  const metric = (result: AlarmStateCheckResult) => console.log(alarmStateCheckMetric({
    rollback: config.rollbackName, target: target.name, trigger: RollbackTrigger.DEPLOYMENT_START, result, durationMs: now() - scope.startedAt,
  }, config.metricNamespace, now()));

  const trace = new CallTrace();
  let read: AlarmRead;
  try {
    const client = await scope.clients.cloudWatch();
    // A failed read is retried by Lambda or decided by the policy, so the
    // budget only bounds one attempt: the alarm-state check's default, for
    // the same reason.
    const place = { region: await client.config.region() };
    read = await readTargetAlarms(client, trace, target.alarmArns, target, place, DEFAULT_ALARM_READ_BUDGET_MS);
  } catch (error) {
    read = { ok: false, error: errorText(error) };
  }
  if (!read.ok) {
    const error = `the alarms of target ${target.name} could not be read at the start of ${start.what}: ${read.error}`;
    if (alarmReadFailure === AlarmReadFailure.CONTINUE) {
      metric(AlarmStateCheckResult.UNREADABLE);
      console.error(JSON.stringify({ message: `${error}; the read-failure policy is CONTINUE, so it goes on`, target: target.name, eventId: start.id }));
      return { kind: 'QUIET', decision: { outcome: RollbackOutcome.IGNORED, reason: `${error}; the read-failure policy is CONTINUE` }, fields, calls: trace.list() };
    }
    if (alarmReadFailure === AlarmReadFailure.ROLL_BACK) {
      return cancel(undefined, `${error}; the read-failure policy is ROLL_BACK`);
    }
    return {
      kind: 'UNREADABLE',
      decision: { outcome: RollbackOutcome.FAILED, reason: 'the alarms could not be read; Lambda retries the event' },
      fields: { ...fields, error },
      error: new Error(error),
    };
  }
  const { firing, paused } = read.verdict;
  if (firing.length === 0) {
    metric(AlarmStateCheckResult.OK);
    const reason = paused.length > 0 ? `no alarm fires; paused: ${paused.join(', ')}` : 'no alarm of the target is in a trigger state at the start';
    return { kind: 'QUIET', decision: { outcome: RollbackOutcome.IGNORED, reason }, fields, calls: trace.list() };
  }
  return cancel(firing, `${firing.join(', ')} fired as ${start.what} started`);

  function cancel(alarmsFiring: string[] | undefined, why: string): DeploymentStart {
    const named = alarmsFiring?.[0];
    const firstFiring = named === undefined ? undefined : target.alarmArns.find((candidate) => parseAlarmArn(candidate)?.alarmName === named);
    const arn = firstFiring ?? target.alarmArns[0];
    return {
      kind: 'CANCEL',
      fields: alarmsFiring ? { ...fields, alarmsFiring } : fields,
      calls: trace.list(),
      explain: (decision) => ({ ...decision, reason: `${why}: ${decision.reason}` }),
      input: {
        ok: true,
        // Paused alarms were left out above; the runner need not read the switch again.
        target: { ...target, actOnPausedAlarms: true },
        event: {
          id: start.id,
          time: start.time,
          alarmArn: arn,
          alarmName: named ?? parseAlarmArn(arn)?.alarmName ?? arn,
          state: alarmsFiring ? 'firing' : 'unreadable',
          // The alarm fires now, so the deployment that just started is what it is evidence against.
          alarmAt: now(),
          alarmAtSource: 'time',
        },
      },
    };
  }
}
