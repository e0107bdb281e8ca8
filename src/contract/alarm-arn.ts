// Reading a CloudWatch alarm ARN: one parser for the construct's synth checks,
// the handler's event checks and the tools.
import { Rules } from './text-rules';

/** The parts of a CloudWatch alarm ARN the handler compares with the event. */
export interface AlarmArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly alarmName: string;
}

/**
 * `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`, as the
 * CloudWatch API Reference's AlarmArn and the Service Authorization
 * Reference's `alarm` resource type give it; the name is kept verbatim.
 */
const ALARM_ARN = new RegExp(
  `^arn:(aws[a-z-]*):cloudwatch:([a-z0-9-]+):(\\d{12}):alarm:([^\\u0000-\\u001f\\u007f]{1,${Rules.MAX_ALARM_NAME_LENGTH}})$`, 'u');

/** The alarm ARN's parts, or undefined when `value` is not a CloudWatch alarm ARN. */
export function parseAlarmArn(value: unknown): AlarmArnParts | undefined {
  if (typeof value !== 'string' || value.length > Rules.MAX_ALARM_ARN_LENGTH) {
    return undefined;
  }
  const match = ALARM_ARN.exec(value);
  return match ? { partition: match[1], region: match[2], account: match[3], alarmName: match[4] } : undefined;
}

/** True when `value` is a CloudWatch alarm ARN (see `parseAlarmArn`). */
export function isAlarmArn(value: unknown): value is string {
  return parseAlarmArn(value) !== undefined;
}
