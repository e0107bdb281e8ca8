import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { parseAlarmArn } from '../../src/private/contract';
import type { CallTrace } from '../call-trace';
import { AlarmReadTimeoutError, describeAlarms } from '../cloudwatch/describe-alarms';
import { errorText } from '../errors';
import { Place, readableFrom } from '../function-place';
import { AlarmsVerdict, FiringRules, firingAlarms } from './firing-alarms';

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
  try {
    const readings = await describeAlarms(client, trace, here, budgetMs);
    return { ok: true, verdict: firingAlarms(here, readings, rules), elsewhere };
  } catch (error) {
    return { ok: false, error: error instanceof AlarmReadTimeoutError ? `DescribeAlarms did not answer within the ${error.withinMs} ms budget` : errorText(error) };
  }
}
