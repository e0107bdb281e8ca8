// The synth-time checks of the alarms `AlarmRollback.addTarget` is given:
// the listed alarms and the tags that route alarms to a target. Errors name
// the target's construct path.
import { ArnFormat, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { CHECKED_ALARM_TYPES, isAlarmArn, Rules } from './contract';
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
    if (typeof arn !== 'string' || arn.length === 0) {
      throw validationError(scope,
        `alarm ${index} (${alarm.node.path}) has no ARN`,
        'Pass alarms that have an ARN: create them in this app, or import them with cloudwatch.Alarm.fromAlarmArn');
    }
    if (isLiteral(arn) && !isAlarmArn(arn)) {
      throw validationError(scope,
        `alarm ${index} has the ARN ${describeValue(arn)}, which is not a CloudWatch alarm ARN`,
        'Import the alarm with its full ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>');
    }
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
  if (tags === undefined) {
    return undefined;
  }
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags) || Token.isUnresolved(tags)) {
    throw validationError(scope,
      `alarmTags is ${Token.isUnresolved(tags) ? 'a token' : describeValue(tags)}, not an object of tag keys and values`,
      'Pass alarmTags as an object such as { rollback: \'checkout\' }');
  }
  const entries = Object.entries(tags);
  if (entries.length === 0 || entries.length > Rules.MAX_ALARM_TAGS_PER_TARGET) {
    throw validationError(scope,
      `alarmTags has ${entries.length} tags; a target routes by 1 to ${Rules.MAX_ALARM_TAGS_PER_TARGET} (our own cap: every tag is one more condition of the rule's pattern)`,
      entries.length === 0 ? 'Give at least one tag, or leave alarmTags out and list alarms' : 'Route by the few tags that single out the target\'s alarms');
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) {
      throw validationError(scope,
        `alarmTags ${Token.isUnresolved(key) ? 'has a key that is a token' : `.${key} is a token`}; the tags are part of the rule's event pattern, checked at synth`,
        'Use literal strings for tag keys and values');
    }
    if (!Rules.ALARM_TAG_KEY.test(key)) {
      throw validationError(scope,
        `alarmTags has the key ${describeValue(key)}, which is not ${Rules.ALARM_TAG_KEY.says}; CloudWatch never puts tags starting with "aws:" into alarm events`,
        'Use the key of a tag you put on the alarms');
    }
    // "$or" is an operator of EventBridge patterns ("Content filtering in
    // Amazon EventBridge event patterns"), not a field name.
    if (key === '$or') {
      throw validationError(scope,
        'alarmTags has the key "$or", which EventBridge reads as an operator in an event pattern',
        'Tag the alarms with another key');
    }
    if (!Rules.ALARM_TAG_VALUE.test(value)) {
      throw validationError(scope,
        `alarmTags.${key} is ${describeValue(value)}, which is not ${Rules.ALARM_TAG_VALUE.says}`,
        'Use the value the tag has on the alarms, a string of at most 256 characters');
    }
  }
  return Object.fromEntries(entries);
}
