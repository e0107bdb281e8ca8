import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { parseAlarmArn } from '../../../src/contract';
import type { CallTrace } from '../call-trace';
import { AlarmReading, describeAlarms } from './describe-alarms';
import { AlarmReadTimeoutError, errorText } from '../errors';
import { Place, readableFrom } from '../function-place';
import { FiringRules, muteCandidates } from './firing-alarms';
import { readMutes } from './read-alarm-mutes';

export type AlarmTimeline =
  | {
    readonly ok: true;
    /** The names read here, as `alarmArns` gave them. */
    readonly asked: readonly string[];
    /** Every alarm found, whatever its state, with when it entered it and when it was last configured. */
    readonly alarms: readonly AlarmReading[];
    /** Names asked for that DescribeAlarms did not return (deleted, or never created). */
    readonly missing: readonly string[];
    /** ARNs of alarms in another account or Region, which this function's credentials cannot read. */
    readonly elsewhere: readonly string[];
  }
  | { readonly ok: false; readonly error: string };

/**
 * Reads a target's alarms with the times a judgement by time needs: when
 * each entered its state and when its configuration last changed (the bake
 * gate fails an update only for an alarm that entered a trigger state after
 * the update started). It returns every alarm read and leaves the verdict to
 * the caller (`readTargetAlarms` gives the checks theirs); the mute rules are
 * read only for alarms in a trigger state and not paused otherwise.
 *
 * Alarms of another account or Region go to `elsewhere` (DescribeAlarms
 * reads its caller's own account and Region, CloudWatch API Reference), left
 * to the event path. A failed or late read answers `ok: false` with why.
 */
export async function readAlarmTimeline(
  client: CloudWatchClient,
  trace: CallTrace,
  alarmArns: readonly string[],
  rules: FiringRules,
  place: Place,
  budgetMs: number,
): Promise<AlarmTimeline> {
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
    return { ok: true, asked: here, alarms: [], missing: [], elsewhere };
  }
  const startedAt = Date.now();
  try {
    const readings = await describeAlarms(client, trace, here, budgetMs);
    const muted = await readMutes(client, trace, muteCandidates(readings, rules), budgetMs - (Date.now() - startedAt));
    const found = new Set(readings.map((alarm) => alarm.name));
    const missing = [...new Set(here)].filter((name) => !found.has(name));
    return { ok: true, asked: here, alarms: readings.map((alarm) => muted(alarm)), missing, elsewhere };
  } catch (error) {
    return { ok: false, error: error instanceof AlarmReadTimeoutError ? `DescribeAlarms did not answer within the ${error.withinMs} ms budget` : errorText(error) };
  }
}
