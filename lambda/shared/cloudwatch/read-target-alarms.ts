import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { parseAlarmArn } from '../../../src/contract';
import type { CallTrace } from '../call-trace';
import { AlarmReading, describeAlarms } from './describe-alarms';
import { readAlarmMutes } from './read-alarm-mutes';
import { AlarmReadTimeoutError, errorText } from '../errors';
import { Place, readableFrom } from '../function-place';
import { AlarmsVerdict, FiringRules, firingAlarms, muteCandidates } from './firing-alarms';

export type AlarmRead =
  | { readonly ok: true; readonly verdict: AlarmsVerdict; readonly elsewhere: string[] }
  | { readonly ok: false; readonly error: string };

/**
 * Reads a target's alarms within `budgetMs` and says which fire. Alarms in
 * another account or region cannot be read with this function's credentials
 * (DescribeAlarms reads its caller's account and region); they are listed in
 * `elsewhere` and left to the event path, as the construct warns at synth.
 */
export async function readTargetAlarms(
  client: CloudWatchClient,
  trace: CallTrace,
  alarmArns: readonly string[],
  rules: FiringRules,
  place: Place,
  budgetMs: number,
): Promise<AlarmRead> {
  const here: string[] = [];
  const elsewhere: string[] = [];
  for (const arn of alarmArns) {
    const parts = parseAlarmArn(arn);
    if (parts && readableFrom(place, parts)) {
      here.push(parts.alarmName);
    } else {
      elsewhere.push(arn);
    }
  }
  if (here.length === 0) {
    return { ok: true, verdict: { firing: [], paused: [], missing: [] }, elsewhere };
  }
  const startedAt = Date.now();
  try {
    const readings = await describeAlarms(client, trace, here, budgetMs);
    const muted = await readMutes(client, trace, muteCandidates(readings, rules), budgetMs - (Date.now() - startedAt));
    return { ok: true, verdict: firingAlarms(here, readings.map((alarm) => muted(alarm)), rules), elsewhere };
  } catch (error) {
    return { ok: false, error: error instanceof AlarmReadTimeoutError ? `DescribeAlarms did not answer within the ${error.withinMs} ms budget` : errorText(error) };
  }
}

/**
 * Reads the mute rules of the alarms in a trigger state, side by side, within
 * what is left of the budget. An alarm whose rules could not be read keeps no
 * `mutedBy` and so fires: its state is known, only the mute is not.
 */
export async function readMutes(
  client: CloudWatchClient, trace: CallTrace, names: string[], withinMs: number,
): Promise<(alarm: AlarmReading) => AlarmReading> {
  if (names.length === 0) {
    return (alarm) => alarm;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, withinMs));
  try {
    const answers = await Promise.allSettled(names.map((name) => readAlarmMutes(client, trace, name, abort.signal)));
    const byName = new Map(names.map((name, i) => [name, answers[i]]));
    return (alarm) => {
      const answer = byName.get(alarm.name);
      if (!answer) return alarm;
      return answer.status === 'fulfilled' ? { ...alarm, mutedBy: answer.value } : { ...alarm, mutesUnread: errorText(answer.reason) };
    };
  } finally {
    clearTimeout(timer);
  }
}
