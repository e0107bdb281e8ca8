import type { ProtonStartInput } from './parse-status-event';
import { RollbackOutcome, RollbackRecord, RollbackTrigger, parseAlarmArn } from '../../../src/contract';
import { CallTrace } from '../../shared/call-trace';
import type { Clients } from '../../shared/clients';
import { readTargetAlarms } from '../../shared/cloudwatch/read-target-alarms';
import { DEFAULT_ALARM_READ_BUDGET_MS, HandlerConfig } from '../../shared/config';
import { errorText } from '../../shared/errors';
import { alarmStateCheckMetric } from '../../shared/record/emf-metrics';
import type { AcceptedInput } from '../../shared/wire/alarm-event';
import type { Decision } from '../target-runner';

/** What the start check found. */
export type ProtonStartCheck =
  /** No alarm fires: the deployment goes on, and only the check metric is written. */
  | { readonly kind: 'QUIET'; readonly note?: string; readonly calls: string[] }
  /** An alarm fires: the input to cancel the deployment through the same claim as an alarm event. */
  | { readonly kind: 'CANCEL'; readonly input: AcceptedInput; readonly alarmsFiring: string[]; readonly calls: string[] };

/** What the rollback entry does with a Proton deployment's start. */
export type ProtonStart =
  /** Nothing to record: the check metric is its only trace, as at an AppConfig start. */
  | { readonly kind: 'QUIET'; readonly decision: Decision; readonly fields: Partial<RollbackRecord>; readonly calls: string[] }
  /** The alarms could not be read: recorded as FAILED, then `error` is thrown so Lambda retries the event. */
  | { readonly kind: 'UNREADABLE'; readonly decision: Decision; readonly fields: Partial<RollbackRecord>; readonly error: unknown }
  /**
   * An alarm fires: `input` goes through dispatch like an alarm event, and
   * `explain` prefixes the runner's decision with the alarms that fired.
   */
  | {
    readonly kind: 'CANCEL';
    readonly input: AcceptedInput;
    readonly fields: Partial<RollbackRecord>;
    readonly calls: string[];
    readonly explain: (decision: Decision) => Decision;
  };

export interface ProtonStartScope {
  readonly clients: Clients;
  readonly config: HandlerConfig;
  readonly now: () => number;
  /** Epoch milliseconds when the invocation began, for the check metric's duration. */
  readonly startedAt: number;
}

/**
 * A Proton environment went IN_PROGRESS: the start branch of the rollback
 * entry, whole. Its alarms are read first; only a firing one sends the
 * deployment on to the alarm path's cancel. A quiet start writes the check
 * metric and no record; a failed read is answered here as FAILED, and the
 * entry records it and throws, so Lambda retries the event.
 */
export async function protonStart(parsed: ProtonStartInput, scope: ProtonStartScope): Promise<ProtonStart> {
  const { start: status, target } = parsed;
  const { config, now } = scope;
  const fields: Partial<RollbackRecord> = {
    eventId: status.id,
    eventTime: status.time,
    target: target.name,
    targetKind: target.kind,
    trigger: RollbackTrigger.DEPLOYMENT_START,
  };
  let check: ProtonStartCheck;
  try {
    check = await checkProtonStart(parsed, scope.clients, now);
  } catch (error) {
    const reason = 'the alarms could not be read; Lambda retries the event';
    return { kind: 'UNREADABLE', decision: { outcome: RollbackOutcome.FAILED, reason }, fields: { ...fields, error: errorText(error) }, error };
  }
  if (check.kind === 'QUIET') {
    console.log(alarmStateCheckMetric({
      rollback: config.rollbackName, target: target.name, trigger: RollbackTrigger.DEPLOYMENT_START, result: 'OK', durationMs: now() - scope.startedAt,
    }, config.metricNamespace, now()));
    const reason = check.note ?? 'no alarm of the target is in a trigger state at the start';
    return { kind: 'QUIET', decision: { outcome: RollbackOutcome.IGNORED, reason }, fields, calls: check.calls };
  }
  const firing = check.alarmsFiring;
  return {
    kind: 'CANCEL',
    input: check.input,
    fields: { ...fields, alarmsFiring: firing },
    calls: check.calls,
    explain: (decision) => ({ ...decision, reason: `${firing.join(', ')} fired as the deployment started: ${decision.reason}` }),
  };
}

/**
 * Reads the target's alarms, and when one fires hands the deployment to the
 * alarm path's runner, which cancels it through the per-deployment claim, so
 * an alarm event and this check make one cancel between them. A failed read
 * is thrown.
 */
export async function checkProtonStart(parsed: ProtonStartInput, clients: Clients, now: () => number): Promise<ProtonStartCheck> {
  const { target, start } = parsed;
  const trace = new CallTrace();
  const client = await clients.cloudWatch();
  // On the event path a failed read is thrown and Lambda retries the event, so
  // the budget only bounds one attempt: the alarm-state check's default, for
  // the same reason.
  const place = { region: await client.config.region() };
  const read = await readTargetAlarms(client, trace, target.alarmArns, target, place, DEFAULT_ALARM_READ_BUDGET_MS);
  if (!read.ok) {
    throw new Error(`the alarms of target ${target.name} could not be read at the start of a deployment of environment ${start.environmentName}: ${read.error}`);
  }
  const { firing, paused } = read.verdict;
  if (firing.length === 0) {
    return { kind: 'QUIET', calls: trace.list(), note: paused.length > 0 ? `no alarm fires; paused: ${paused.join(', ')}` : undefined };
  }
  const arn = target.alarmArns.find((candidate) => parseAlarmArn(candidate)?.alarmName === firing[0]) as string;
  return {
    kind: 'CANCEL',
    alarmsFiring: firing,
    calls: trace.list(),
    input: {
      ok: true,
      // Paused alarms were left out above; the runner need not read the switch again.
      target: { ...target, actOnPausedAlarms: true },
      event: {
        id: start.id,
        time: start.time,
        alarmArn: arn,
        alarmName: firing[0],
        state: 'firing',
        // The alarm fires now, so the deployment that just started is what it is evidence against.
        alarmAt: now(),
        alarmAtSource: 'time',
      },
    },
  };
}
