// An alarm's identity across stacks and in resolved rule patterns, and its
// home account and Region: what a forwarder compares with what a rollback
// watches.
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { parseAlarmArn } from '../contract';
import { isLiteral } from '../private/validate';

/**
 * An alarm's identity across stacks: `<region>:<account>:<name>` when its
 * ARN, or its stack's environment and its literal name, give them; else its
 * construct path.
 */
export function alarmKey(alarm: cloudwatch.IAlarm): string {
  const arn = alarm.alarmArn;
  if (isLiteral(arn)) {
    const parts = parseAlarmArn(arn);
    return parts ? `${parts.region}:${parts.account}:${parts.alarmName}` : arn;
  }
  const child = alarm.node.defaultChild;
  const name = child instanceof cloudwatch.CfnAlarm || child instanceof cloudwatch.CfnCompositeAlarm ? child.alarmName : undefined;
  const home = alarmHome(alarm);
  if (isLiteral(name) && isLiteral(home.account) && isLiteral(home.region)) {
    return `${home.region}:${home.account}:${name}`;
  }
  return alarm.node.path;
}

/** The same identity for an alarm ARN read from a resolved rule pattern. */
export function resolvedArnKey(resolved: unknown): string {
  const text = typeof resolved === 'string' ? resolved : joinedText(resolved);
  const parts = parseAlarmArn(text);
  return parts ? `${parts.region}:${parts.account}:${parts.alarmName}` : JSON.stringify(resolved);
}

/**
 * The text of an `Fn::Join` of literals, with the partition pseudo parameter
 * read as `aws` (keys leave the partition out).
 */
function joinedText(resolved: unknown): string | undefined {
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join || !Array.isArray(join[1])) {
    return undefined;
  }
  const parts = join[1].map((part) => typeof part === 'string' ? part
    : (part as { Ref?: unknown }).Ref === 'AWS::Partition' ? 'aws' : undefined);
  return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
}

/** The account and Region an alarm lives in: from its ARN when literal, else from its stack. */
export function alarmHome(alarm: cloudwatch.IAlarm): { account: string; region: string } {
  const parts = isLiteral(alarm.alarmArn) ? parseAlarmArn(alarm.alarmArn) : undefined;
  if (parts) {
    return { account: parts.account, region: parts.region };
  }
  const stack = Stack.of(alarm);
  return { account: stack.account, region: stack.region };
}

/** `alarm <index> (<ARN or construct path>)`, for error messages. */
export function alarmLabel(alarm: IConstruct & { alarmArn: string }, index: number): string {
  return `alarm ${index} (${isLiteral(alarm.alarmArn) ? alarm.alarmArn : alarm.node.path})`;
}
