import type { AlarmReading } from './describe-alarms';

/** How a target reads its alarms: from the rule input or the extension's `Target` parameter. */
export interface FiringRules {
  /** The alarm states that act: `ALARM`, and `INSUFFICIENT_DATA` when the target's triggerOn says so. */
  readonly triggerStates: readonly string[];
  /** Count an alarm whose actions are disabled, suppressed or muted, too. */
  readonly actOnPausedAlarms: boolean;
}

/** What a read of a target's alarms found. */
export interface AlarmsVerdict {
  /** Names of the alarms in a trigger state that may act: the ones that fire. */
  readonly firing: string[];
  /** Names of the alarms in a trigger state that are paused, with why, and so do not fire. */
  readonly paused: string[];
  /** Names asked for that the answer did not contain (deleted, or never created). */
  readonly missing: string[];
}

/**
 * Why an alarm's actions are paused, or undefined when they are not.
 *
 * AppConfig's own monitors do nothing while an alarm's actions are disabled
 * (AppConfig User Guide, "Monitoring deployments for automatic rollback"),
 * and a composite alarm whose actions are suppressed (`ActionsSuppressedBy`
 * `Alarm`, `WaitPeriod` or `ExtensionPeriod`, CloudWatch API Reference,
 * CompositeAlarm) runs none of them either; nor does an alarm whose actions
 * an active alarm mute rule mutes ("targeted alarms continue to evaluate
 * metrics and transition between states, but their configured actions are
 * muted", CloudWatch API Reference, PutAlarmMuteRule). The operator's way to
 * push a fix through while an alarm fires is to disable or mute its actions,
 * deploy, and enable them again, so a paused alarm neither blocks nor rolls back.
 */
export function pausedBecause(alarm: Pick<AlarmReading, 'actionsEnabled' | 'actionsSuppressedBy' | 'mutedBy'>): string | undefined {
  if (!alarm.actionsEnabled) {
    return 'its actions are disabled';
  }
  if (alarm.actionsSuppressedBy !== undefined) {
    return `its actions are suppressed by ${alarm.actionsSuppressedBy}`;
  }
  if (alarm.mutedBy !== undefined && alarm.mutedBy.length > 0) {
    return `its actions are muted by alarm mute rule ${alarm.mutedBy.join(', ')}`;
  }
  return undefined;
}

/** Names of the alarms a mute read is worth making for: in a trigger state and not paused otherwise. */
export function muteCandidates(readings: readonly AlarmReading[], rules: FiringRules): string[] {
  if (rules.actOnPausedAlarms) {
    return [];
  }
  return readings.filter((alarm) => rules.triggerStates.includes(alarm.state) && pausedBecause(alarm) === undefined).map((alarm) => alarm.name);
}

/**
 * Which of `names` fire: in a trigger state and, unless `actOnPausedAlarms`,
 * with their actions enabled, not suppressed and not muted. Pure, so each rule
 * is tested alone.
 */
export function firingAlarms(names: readonly string[], readings: readonly AlarmReading[], rules: FiringRules): AlarmsVerdict {
  const byName = new Map(readings.map((alarm) => [alarm.name, alarm]));
  const firing: string[] = [];
  const paused: string[] = [];
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const alarm = byName.get(name);
    if (!alarm) {
      missing.push(name);
      continue;
    }
    if (!rules.triggerStates.includes(alarm.state)) {
      continue;
    }
    const pause = rules.actOnPausedAlarms ? undefined : pausedBecause(alarm);
    if (pause === undefined) {
      // An alarm whose mute rules could not be read fires: the side that lets it act, as on the event path.
      firing.push(name);
    } else {
      paused.push(`${name} (${alarm.state}, but ${pause})`);
    }
  }
  return { firing, paused, missing };
}
