// The synth-time checks of the alarms `AlarmRollback.addTarget` is given:
// the listed alarms and the tags that route alarms to a target. Errors name
// the target's construct path.
import { ArnFormat, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { CHECKED_ALARM_TYPES, Rules } from '../contract';
import { checkAlarmArn, checkAlarmTags } from './alarm-checks';
import { describeValue, isLiteral, validationError } from './validate';

/**
 * Alarms per target. A target's alarms are spread over as many rules as
 * EventBridge's pattern and input limits need (about 15 generated alarm
 * names per rule); the cap keeps one target from taking a large share of the
 * 300 rules an event bus holds.
 */
const MAX_ALARMS_PER_TARGET = 100;

/**
 * The alarms of `alarms` made in this app as a resource the alarm-state check
 * cannot read (neither a metric, a composite nor a log alarm), each in words.
 * An imported alarm shows no resource and is taken as readable.
 */
export function uncheckedAlarmKinds(alarms: cloudwatch.IAlarm[]): string[] {
  const readable = new Set<string>(Object.values(CHECKED_ALARM_TYPES));
  const found: string[] = [];
  for (const alarm of alarms) {
    const resource = alarm.node.defaultChild;
    if (CfnResource.isCfnResource(resource) && !readable.has(resource.cfnResourceType)) {
      found.push(`${alarm.node.path} (${resource.cfnResourceType})`);
    }
  }
  return found;
}

/** The ARNs of a target's `alarms`, each checked, in the order given. */
export function resolveAlarmArns(scope: IConstruct, alarms: cloudwatch.IAlarm[]): string[] {
  if (!Array.isArray(alarms)) {
    throw validationError(scope,
      `alarms is ${describeValue(alarms)}, not a list of alarms`,
      'Pass alarms as a list of cloudwatch.IAlarm, or leave it out and give alarmTags');
  }
  if (alarms.length > MAX_ALARMS_PER_TARGET) {
    throw validationError(scope,
      `addTarget was given ${alarms.length} alarms; a target takes at most ${MAX_ALARMS_PER_TARGET}, so that its rules leave room on the event bus`,
      `Combine the alarms into a few cloudwatch.CompositeAlarm, or split them over several targets of ${MAX_ALARMS_PER_TARGET} or fewer`);
  }
  const seen = new Map<string, number>();
  return alarms.map((alarm, index) => {
    const arn = byName(scope, alarm) ?? alarm.alarmArn;
    checkAlarmArn(scope, alarm, index, arn, 'this app');
    const first = seen.get(arn);
    if (first !== undefined) {
      throw validationError(scope,
        `alarm ${index} (${isLiteral(arn) ? arn : alarm.node.path}) is the same alarm as alarm ${first}`,
        'Pass each alarm once per target');
    }
    seen.set(arn, index);
    return arn;
  });
}

/**
 * The ARN of an alarm created with a name of its own in another stack of the
 * same account and Region, written in the target's stack from that name;
 * undefined for any other alarm. A reference to the alarm's ARN would make
 * the CDK export it from the alarm's stack, one output per alarm, and
 * CloudFormation allows 200 outputs per stack ("AWS CloudFormation quotas"):
 * 150 targets of 2 alarms in a monitoring stack would export 300. The
 * target's stack still depends on the alarm's stack, as the export made it
 * do, so the alarms are created first.
 */
function byName(scope: IConstruct, alarm: cloudwatch.IAlarm): string | undefined {
  const resource = alarm.node.defaultChild;
  if (!(resource instanceof cloudwatch.CfnAlarm || resource instanceof cloudwatch.CfnCompositeAlarm)) {
    return undefined;
  }
  const here = Stack.of(scope);
  const there = Stack.of(resource);
  // Exports reach only stacks of one account and Region, and not nested stacks; the CDK names alarms read from elsewhere itself.
  if (there === here || there.nested || here.nested || there.account !== here.account || there.region !== here.region) {
    return undefined;
  }
  const name = resource.alarmName === undefined ? undefined : there.resolve(resource.alarmName);
  if (typeof name !== 'string' || name === '') {
    return undefined;
  }
  here.addDependency(there, 'its AlarmRollback reads alarms of that stack by name');
  return here.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The target's tags, checked against CloudWatch's tag shapes (the
 * contract's rules) and our cap, or undefined when none were given.
 */
export function resolveAlarmTags(scope: IConstruct, tags: { [key: string]: string } | undefined): Record<string, string> | undefined {
  return checkAlarmTags(scope, tags, {
    maxTags: Rules.MAX_ALARM_TAGS_PER_TARGET,
    maxTagsReason: `a target routes by 1 to ${Rules.MAX_ALARM_TAGS_PER_TARGET} (our own cap: every tag is one more condition of the rule's pattern)`,
    tokenValues: false,
    emptyIsNone: false,
  });
}
