import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CallTrace } from '../call-trace';
import type { Place } from '../function-place';
import { AlarmsVerdict, FiringRules, firingAlarms } from './firing-alarms';
import { readAlarmTimeline } from './read-alarm-timeline';

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
  const timeline = await readAlarmTimeline(client, trace, alarmArns, rules, place, budgetMs);
  if (!timeline.ok) {
    return timeline;
  }
  return { ok: true, verdict: firingAlarms(timeline.asked, timeline.alarms, rules), elsewhere: [...timeline.elsewhere] };
}
