// The synth-time checks of alarms and alarm tags, shared by everything that
// takes them: `AlarmRollback.addTarget` and `AlarmEventForwarder`. Each check
// is written once; its options say where the two callers differ, and why.
import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { isAlarmArn, Rules } from '../contract';
import { describeValue, isLiteral, validationError } from './validate';

/**
 * Checks one alarm's ARN: present, and a CloudWatch alarm ARN when literal
 * (a token is checked where it resolves). The same for every caller.
 *
 * @param arn the ARN the caller will use for the alarm (addTarget may write it from the alarm's name)
 * @param madeIn where the caller can take alarms from, for the fix: "this app" or "this stack"
 */
export function checkAlarmArn(scope: IConstruct, alarm: cloudwatch.IAlarm, index: number, arn: string, madeIn: string): void {
  if (typeof arn !== 'string' || arn.length === 0) {
    throw validationError(scope,
      `alarm ${index} (${alarm.node.path}) has no ARN`,
      `Pass alarms that have an ARN: create them in ${madeIn}, or import them with cloudwatch.Alarm.fromAlarmArn`);
  }
  if (isLiteral(arn) && !isAlarmArn(arn)) {
    throw validationError(scope,
      `alarm ${index} has the ARN ${describeValue(arn)}, which is not a CloudWatch alarm ARN`,
      'Import the alarm with its full ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>');
  }
}

/** Where the callers of `checkAlarmTags` differ. */
export interface AlarmTagOptions {
  /**
   * Most tags in the set. A target routes by at most
   * `Rules.MAX_ALARM_TAGS_PER_TARGET` (our own cap: each tag is one more
   * condition of a rule the AlarmRollback sizes and sends in its rule input);
   * a forwarder only relays what some target watches, so it refuses only a
   * set no alarm can carry (`Rules.MAX_TAGS_PER_ALARM`).
   */
  readonly maxTags: number;
  /** Why `maxTags`, in words, for the error. */
  readonly maxTagsReason: string;
  /**
   * Accept token values. A target's tags go into its rule input and are
   * compared with a forwarder's at synth, so they must be literal; a
   * forwarder's values only go into its own pattern, resolved at deploy.
   */
  readonly tokenValues: boolean;
  /**
   * An empty set: an error for a target (it would match every alarm's event
   * through nothing), none at all for a forwarder (it forwards its alarms
   * by ARN only).
   */
  readonly emptyIsNone: boolean;
}

/**
 * The tags checked against CloudWatch's tag shapes (the contract's rules) and
 * the caller's cap, or undefined when none were given (or an empty set means
 * none). Errors name `scope`'s path.
 */
export function checkAlarmTags(scope: IConstruct, tags: { [key: string]: string } | undefined,
  options: AlarmTagOptions): Record<string, string> | undefined {
  if (tags === undefined) {
    return undefined;
  }
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags) || Token.isUnresolved(tags)) {
    throw validationError(scope,
      `alarmTags is ${Token.isUnresolved(tags) ? 'a token' : describeValue(tags)}, not an object of tag keys and values`,
      'Pass alarmTags as an object such as { rollback: \'checkout\' }');
  }
  const entries = Object.entries(tags);
  if (entries.length === 0 && options.emptyIsNone) {
    return undefined;
  }
  if (entries.length === 0 || entries.length > options.maxTags) {
    throw validationError(scope,
      `alarmTags has ${entries.length} tags; ${options.maxTagsReason}`,
      entries.length === 0 ? 'Give at least one tag, or leave alarmTags out and list alarms' : 'Route by the few tags that single out the alarms, such as { rollback: \'checkout\' }');
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key) || (!options.tokenValues && Token.isUnresolved(value))) {
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
    // Amazon EventBridge event patterns"), not a field name: in a target's
    // rule and in a forwarder's alike.
    if (key === '$or') {
      throw validationError(scope,
        'alarmTags has the key "$or", which EventBridge reads as an operator in an event pattern',
        'Tag the alarms with another key');
    }
    if (isLiteral(value) && !Rules.ALARM_TAG_VALUE.test(value)) {
      throw validationError(scope,
        `alarmTags.${key} is ${describeValue(value)}, which is not ${Rules.ALARM_TAG_VALUE.says}`,
        'Use the value the tag has on the alarms, a string of at most 256 characters');
    }
  }
  return Object.fromEntries(entries);
}
