import { describe, field, isRecord, isText, readFlag, readTriggerStates } from './fields';
import { AlarmReadFailure, INPUT_VERSION, Rules, TargetInput, TargetKind } from '../../../src/contract';

/**
 * The rule input (`{ version, target, event }`, the `RollbackInput` the
 * construct writes into each rule's input transformer): its version and its
 * target, read here once. The event inside is read by its own reader
 * (`alarm-event.ts`, or the Proton status event's).
 */
export type ReadRuleInput =
  | { readonly ok: true; readonly target: TargetInput; readonly event: unknown }
  | { readonly ok: false; readonly reason: string };

export function readRuleInput(input: unknown): ReadRuleInput {
  if (!isRecord(input)) {
    return { ok: false, reason: `the input is ${describe(input)}, not an object; only EventBridge rules created by AlarmRollback should invoke this function` };
  }
  if (field(input, 'version') !== INPUT_VERSION) {
    return { ok: false, reason: `the rule input version is ${describe(field(input, 'version'))}, and this handler reads version ${INPUT_VERSION}; redeploy the stack so the rules and the handler come from the same release` };
  }
  const target = readTarget(field(input, 'target'));
  if (typeof target === 'string') {
    return { ok: false, reason: `the rule input's target is malformed: ${target}; redeploy the stack so the rule input is regenerated` };
  }
  return { ok: true, target, event: field(input, 'event') };
}

/** The rule input's `target`, or what is wrong with it. */
export function readTarget(raw: unknown): TargetInput | string {
  if (!isRecord(raw)) {
    return `target is ${describe(raw)}`;
  }
  const name = field(raw, 'name');
  if (!Rules.TARGET_NAME.test(name)) {
    return `target.name is ${describe(name)}`;
  }
  const alarmArns = field(raw, 'alarmArns');
  if (!Array.isArray(alarmArns) || !alarmArns.every((arn) => isText(arn, Rules.MAX_ALARM_ARN_LENGTH))) {
    return `target.alarmArns is ${describe(alarmArns)}, not a list of alarm ARNs`;
  }
  const alarmTags = parseAlarmTags(field(raw, 'alarmTags'));
  if (typeof alarmTags === 'string') {
    return alarmTags;
  }
  if (alarmArns.length === 0 && alarmTags === undefined) {
    return 'target.alarmArns is empty and target.alarmTags is absent, so no alarm is the target\'s';
  }
  const triggerStates = readTriggerStates(field(raw, 'triggerStates'), 'target.triggerStates');
  if ('problem' in triggerStates) {
    return triggerStates.problem;
  }
  const actOnPausedAlarms = readFlag(field(raw, 'actOnPausedAlarms'), 'target.actOnPausedAlarms');
  if (typeof actOnPausedAlarms !== 'boolean') {
    return actOnPausedAlarms.problem;
  }
  const common = { name, alarmArns, ...(alarmTags ? { alarmTags } : {}), triggerStates, actOnPausedAlarms };
  const kind = field(raw, 'kind');
  if (kind === TargetKind.APPCONFIG) {
    const applicationId = field(raw, 'applicationId');
    const environmentId = field(raw, 'environmentId');
    const window = field(raw, 'revertCompletedWithinSeconds');
    if (!Rules.APPCONFIG_ID.test(applicationId)) {
      return `target.applicationId is ${describe(applicationId)}`;
    }
    if (!Rules.APPCONFIG_ID.test(environmentId)) {
      return `target.environmentId is ${describe(environmentId)}`;
    }
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 0 || window > Rules.MAX_REVERT_WINDOW_SECONDS) {
      return `target.revertCompletedWithinSeconds is ${describe(window)}`;
    }
    return { kind, ...common, applicationId, environmentId, revertCompletedWithinSeconds: window };
  }
  if (kind === TargetKind.PROTON_ENVIRONMENT) {
    const environmentName = field(raw, 'environmentName');
    if (!Rules.PROTON_RESOURCE_NAME.test(environmentName)) {
      return `target.environmentName is ${describe(environmentName)}`;
    }
    return { kind, ...common, environmentName };
  }
  if (kind === TargetKind.CLOUDFORMATION_STACK) {
    const stackName = field(raw, 'stackName');
    if (!Rules.CLOUDFORMATION_STACK_NAME_OR_ID.test(stackName)) {
      return `target.stackName is ${describe(stackName)}, not ${Rules.CLOUDFORMATION_STACK_NAME_OR_ID.says}`;
    }
    const alarmReadFailure = field(raw, 'alarmReadFailure');
    if (alarmReadFailure === undefined) {
      return { kind, ...common, stackName };
    }
    if (alarmReadFailure !== AlarmReadFailure.ROLL_BACK && alarmReadFailure !== AlarmReadFailure.CONTINUE) {
      return `target.alarmReadFailure is ${describe(alarmReadFailure)}, not ${AlarmReadFailure.ROLL_BACK} or ${AlarmReadFailure.CONTINUE}`;
    }
    return { kind, ...common, stackName, alarmReadFailure };
  }
  return `target.kind is ${describe(kind)}`;
}

/**
 * The target's tags, or undefined when it routes by ARN only, or what is
 * wrong with them. Keys and values follow the CloudWatch TagKey and TagValue
 * shapes (the contract's rules); the count is capped as the construct caps it.
 */
function parseAlarmTags(raw: unknown): Record<string, string> | undefined | string {
  if (raw === undefined) {
    return undefined;
  }
  if (!isRecord(raw)) {
    return `target.alarmTags is ${describe(raw)}, not an object of tag keys and values`;
  }
  const entries = Object.entries(raw);
  if (entries.length === 0 || entries.length > Rules.MAX_ALARM_TAGS_PER_TARGET) {
    return `target.alarmTags has ${entries.length} tags; a target routes by 1 to ${Rules.MAX_ALARM_TAGS_PER_TARGET}`;
  }
  for (const [key, value] of entries) {
    if (!Rules.ALARM_TAG_KEY.test(key)) {
      return `target.alarmTags has the key ${describe(key)}, not ${Rules.ALARM_TAG_KEY.says}`;
    }
    if (!Rules.ALARM_TAG_VALUE.test(value)) {
      return `target.alarmTags.${key} is ${describe(value)}, not ${Rules.ALARM_TAG_VALUE.says}`;
    }
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays data.
  return Object.fromEntries(entries) as Record<string, string>;
}
