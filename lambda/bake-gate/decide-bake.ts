import { AlarmReadFailure, AlarmStateCheckResult } from '../../src/contract';
import { pausedBecause } from '../shared/cloudwatch/firing-alarms';
import { CLOCK_SKEW_TOLERANCE_MS } from '../targets/cloudformation-stack/decide-stack-action';

/** What the gate needs of one alarm. */
export interface BakeAlarm {
  readonly name: string;
  readonly state: string;
  /**
   * When the alarm's state value last changed, epoch ms: DescribeAlarms'
   * `StateTransitionedTimestamp` ("the date and time that the alarm's
   * StateValue most recently changed", CloudWatch API Reference, MetricAlarm
   * and CompositeAlarm), not `StateUpdatedTimestamp`, which also moves when
   * only the evaluation state changes. Undefined when the answer had neither.
   */
  readonly enteredStateAt?: number;
  /**
   * When the alarm's configuration last changed, epoch ms (DescribeAlarms
   * `AlarmConfigurationUpdatedTimestamp`). An alarm the update itself
   * creates or changes starts over in INSUFFICIENT_DATA until it is
   * evaluated (CloudWatch User Guide, "Alarm states").
   */
  readonly configuredAt?: number;
  readonly actionsEnabled: boolean;
  readonly actionsSuppressedBy?: string;
  readonly mutedBy?: readonly string[];
}

export type BakeAlarmRead =
  | { readonly ok: true; readonly alarms: readonly BakeAlarm[]; readonly missing: readonly string[]; readonly elsewhere: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** The target's rules, from the gate's properties. */
export interface BakeRules {
  readonly triggerStates: readonly string[];
  readonly actOnPausedAlarms: boolean;
  /** The start gate: an alarm firing since before the update fails it too. */
  readonly blockStart: boolean;
  readonly alarmReadFailure: AlarmReadFailure;
}

/** The bake's times, epoch ms. */
export interface BakeTimes {
  /** When the stack's update (or creation) entered its IN_PROGRESS status. */
  readonly updateStartedAt: number;
  /** When the bake is over: the gate's start plus the bake time. */
  readonly bakeEndsAt: number;
  readonly now: number;
}

export type BakeDecision =
  /** Not yet: isComplete answers false and is asked again. */
  | { readonly kind: 'WAIT'; readonly result: AlarmStateCheckResult; readonly note?: string }
  /** The bake is over: isComplete answers true and the update completes. */
  | { readonly kind: 'PASS'; readonly result: AlarmStateCheckResult; readonly note?: string }
  /** Fail the gate, so CloudFormation rolls the whole update back. */
  | { readonly kind: 'FAIL'; readonly result: AlarmStateCheckResult; readonly reason: string; readonly firing: readonly string[] };

/**
 * One poll of the bake, pure so each row is tested alone.
 *
 * An alarm is evidence against the update when it entered a trigger state
 * after the update started (less the clock-skew tolerance: the side a
 * rollback errs on). One already firing before the update does not fail it,
 * since the update may be the fix, unless the start gate is on. Paused alarms
 * (actions disabled, suppressed or muted) never fail it unless
 * `actOnPausedAlarms`, as on the AppConfig path. A read failure goes by the
 * policy, as CodeDeploy's `ignorePollAlarmFailure` does. An alarm that fires
 * with no transition time cannot be shown to be old, so it counts as new.
 */
export function decideBake(read: BakeAlarmRead, rules: BakeRules, times: BakeTimes): BakeDecision {
  const over = times.now >= times.bakeEndsAt;
  const goOn = (result: AlarmStateCheckResult, note?: string): BakeDecision => (over ? { kind: 'PASS', result, note } : { kind: 'WAIT', result, note });
  if (!read.ok) {
    if (rules.alarmReadFailure === AlarmReadFailure.CONTINUE) {
      return goOn(AlarmStateCheckResult.UNREADABLE, `the alarms could not be read (${read.error}); the read-failure policy is CONTINUE`);
    }
    return { kind: 'FAIL', result: AlarmStateCheckResult.UNREADABLE, firing: [], reason: `the alarms could not be read (${read.error}); the read-failure policy is ROLL_BACK` };
  }
  const since = times.updateStartedAt - CLOCK_SKEW_TOLERANCE_MS;
  const firing: string[] = [];
  const older: string[] = [];
  const paused: string[] = [];
  const unevaluated: string[] = [];
  for (const alarm of read.alarms) {
    if (!rules.triggerStates.includes(alarm.state)) {
      continue;
    }
    if (alarm.state === 'INSUFFICIENT_DATA' && alarm.configuredAt !== undefined && alarm.configuredAt >= since) {
      // Created or changed by this update and not evaluated since: its state says nothing about the update yet.
      unevaluated.push(alarm.name);
      continue;
    }
    const pause = rules.actOnPausedAlarms ? undefined : pausedBecause(alarm);
    if (pause !== undefined) {
      paused.push(`${alarm.name} (${alarm.state}, but ${pause})`);
    } else if (alarm.enteredStateAt === undefined || alarm.enteredStateAt >= since) {
      firing.push(alarm.name);
    } else if (rules.blockStart) {
      firing.push(alarm.name);
    } else {
      older.push(`${alarm.name} (${alarm.state} since ${new Date(alarm.enteredStateAt).toISOString()}, before the update started)`);
    }
  }
  if (firing.length > 0) {
    const why = rules.blockStart ? 'during the update, or before it with the start gate on' : 'after the update started';
    return { kind: 'FAIL', result: AlarmStateCheckResult.FIRING, firing, reason: `${list(firing)} entered a trigger state ${why}` };
  }
  const parts = [
    ...older.length > 0 ? [`firing since before the update, which may be its fix: ${older.join(', ')}`] : [],
    ...paused.length > 0 ? [`paused: ${paused.join(', ')}`] : [],
    ...unevaluated.length > 0 ? [`configured by this update and not evaluated yet: ${unevaluated.join(', ')}`] : [],
    ...read.missing.length > 0 ? [`not found: ${read.missing.join(', ')}`] : [],
    ...read.elsewhere.length > 0 ? [`left to the event path (another account or region): ${read.elsewhere.join(', ')}`] : [],
  ];
  return goOn(read.missing.length > 0 ? AlarmStateCheckResult.MISSING : AlarmStateCheckResult.OK, parts.length > 0 ? `no alarm fires; ${parts.join('; ')}` : undefined);
}

function list(names: readonly string[]): string {
  return names.length === 1 ? `alarm ${names[0]}` : `alarms ${names.join(', ')}`;
}
