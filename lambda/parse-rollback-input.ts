import { describe, field, isRecord, isText, isTriggerState } from './parse-helpers';
import { ProtonStatusEvent, parseStatusEvent } from './proton/parse-status-event';
import {
  ALARM_STATE_CHANGE,
  AlarmStateValue,
  CLOUDWATCH_SOURCE,
  INPUT_VERSION,
  parseAlarmArn,
  PROTON_SOURCE,
  ProtonEnvironmentTargetInput,
  RollbackOutcome,
  Rules,
  TargetInput,
  TargetKind,
} from '../src/contract';

/** The parts of a CloudWatch alarm state change event the handler uses. */
export interface AlarmEvent {
  readonly id: string;
  readonly time: string;
  readonly alarmArn: string;
  readonly alarmName: string;
  readonly state: string;
  readonly stateReason?: string;
  readonly stateTimestamp?: string;
  /** Epoch milliseconds of the state change, when the event carried a readable one. */
  readonly stateChangedAt?: number;
  /**
   * Epoch milliseconds the event is evidence about: the state change, or the
   * event time when `detail.state.timestamp` is absent or unreadable.
   */
  readonly alarmAt: number;
  readonly alarmAtSource: 'detail.state.timestamp' | 'time';
}

export interface AcceptedInput {
  readonly ok: true;
  readonly target: TargetInput;
  readonly event: AlarmEvent;
}

/** An input that asks for nothing: recorded with its reason, never retried. */
export interface RefusedInput {
  readonly ok: false;
  readonly outcome: RollbackOutcome.IGNORED | RollbackOutcome.REJECTED;
  readonly reason: string;
  readonly target?: TargetInput;
  readonly targetName?: string;
  readonly event: Partial<AlarmEvent>;
}

/** A Proton target's environment going IN_PROGRESS: its alarms are checked at the deployment's start. */
export interface ProtonStartInput {
  readonly ok: true;
  readonly target: ProtonEnvironmentTargetInput;
  readonly start: ProtonStatusEvent;
}

export type ParsedInput = AcceptedInput | ProtonStartInput | RefusedInput;

/**
 * Validates the rule input and the CloudWatch event inside it. Nothing here
 * trusts the shape of its input: every field is read as an own property and
 * checked for type and size before use.
 */
export function parseRollbackInput(input: unknown): ParsedInput {
  if (!isRecord(input)) {
    return reject(`the input is ${describe(input)}, not an object; only EventBridge rules created by AlarmRollback should invoke this function`);
  }
  if (field(input, 'version') !== INPUT_VERSION) {
    return reject(`the rule input version is ${describe(field(input, 'version'))}, and this handler reads version ${INPUT_VERSION}; redeploy the stack so the rules and the handler come from the same release`);
  }
  const target = parseTarget(field(input, 'target'));
  if (typeof target === 'string') {
    return reject(`the rule input's target is malformed: ${target}; redeploy the stack so the rule input is regenerated`);
  }
  return parseEvent(field(input, 'event'), target);
}

function parseTarget(raw: unknown): TargetInput | string {
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
  const triggerStates = field(raw, 'triggerStates');
  if (!Array.isArray(triggerStates) || triggerStates.length === 0 || !triggerStates.every((state) => isTriggerState(state))) {
    return `target.triggerStates is ${describe(triggerStates)}, not a list of ${AlarmStateValue.ALARM} and ${AlarmStateValue.INSUFFICIENT_DATA}`;
  }
  const actOnPausedAlarms = field(raw, 'actOnPausedAlarms');
  if (typeof actOnPausedAlarms !== 'boolean') {
    return `target.actOnPausedAlarms is ${describe(actOnPausedAlarms)}, not true or false`;
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
  return `target.kind is ${describe(kind)}`;
}

function parseEvent(raw: unknown, target: TargetInput): ParsedInput {
  const refuse = (outcome: RefusedInput['outcome'], reason: string, event: Partial<AlarmEvent> = {}): RefusedInput =>
    ({ ok: false, outcome, reason, target, event });

  if (!isRecord(raw)) {
    return refuse(RollbackOutcome.REJECTED, `the event is ${describe(raw)}, not an EventBridge event object`);
  }
  const id = field(raw, 'id');
  const time = field(raw, 'time');
  if (!Rules.EVENT_ID.test(id)) {
    return refuse(RollbackOutcome.REJECTED, `the event id is ${describe(id)}; EventBridge event ids are UUIDs`);
  }
  if (!Rules.EVENT_TIME.test(time)) {
    return refuse(RollbackOutcome.REJECTED, `the event time is ${describe(time)}; EventBridge events carry an ISO 8601 time`, { id });
  }
  const seen = { id, time };
  const source = field(raw, 'source');
  if (source === PROTON_SOURCE && target.kind === TargetKind.PROTON_ENVIRONMENT) {
    // The start check reads the alarms the input lists; the construct makes
    // no start rule for a target watched by tags only.
    if (target.alarmArns.length === 0) {
      return refuse(RollbackOutcome.REJECTED, `target ${target.name} lists no alarm for the deployment-start check to read; only alarm events act for a target watched by tags`, seen);
    }
    const status = parseStatusEvent(raw, target, seen);
    return status.ok ? { ok: true, target, start: status.event } : refuse(status.outcome, status.reason, seen);
  }
  if (source !== CLOUDWATCH_SOURCE) {
    return refuse(RollbackOutcome.IGNORED, `the event source is ${describe(source)}, not ${CLOUDWATCH_SOURCE}`, seen);
  }
  const detailType = field(raw, 'detail-type');
  if (detailType !== ALARM_STATE_CHANGE) {
    return refuse(RollbackOutcome.IGNORED, `the event detail-type is ${describe(detailType)}, not ${ALARM_STATE_CHANGE}`, seen);
  }

  const resources = field(raw, 'resources');
  const alarmArn = Array.isArray(resources) ? resources[0] : undefined;
  const arnParts = parseAlarmArn(alarmArn);
  if (!Array.isArray(resources) || resources.length !== 1 || !arnParts) {
    return refuse(RollbackOutcome.REJECTED, `the event resources are ${describe(resources)}; an alarm state change names exactly one alarm ARN`, seen);
  }
  const arn = alarmArn as string;
  // CloudWatch sends the event from the alarm's own account and Region
  // ("Alarm events and EventBridge", CloudWatch User Guide). A rule that
  // forwards it to another account's or Region's bus sends the event itself,
  // and the receiving account's rules match it by the sender's account
  // ("Sending and receiving events between AWS accounts in Amazon
  // EventBridge", EventBridge User Guide), so `account` and `region` stay the
  // alarm's. For `region` AWS is less direct: "Sending and receiving events
  // between AWS Regions" lets the receiving side allow or deny events by the
  // Region they come from, but no page states the field is kept. An event
  // whose fields disagree with its alarm ARN is refused either way, as forged.
  const { region: arnRegion, account: arnAccount } = arnParts;
  if (field(raw, 'account') !== arnAccount || field(raw, 'region') !== arnRegion) {
    return refuse(RollbackOutcome.REJECTED, `the event comes from account ${describe(field(raw, 'account'))} in region ${describe(field(raw, 'region'))}, but alarm ${arn} lives in ${arnAccount} ${arnRegion}`, { ...seen, alarmArn: arn });
  }
  const detail = field(raw, 'detail');
  const state = isRecord(detail) ? field(detail, 'state') : undefined;
  const value = isRecord(state) ? field(state, 'value') : undefined;
  if (!isRecord(detail) || !isRecord(state) || !isText(value, 32)) {
    return refuse(RollbackOutcome.REJECTED, `the event detail.state is ${describe(state)}; an alarm state change carries detail.state.value`, { ...seen, alarmArn: arn });
  }
  const alarmName = field(detail, 'alarmName');
  const reason = field(state, 'reason');
  const timestamp = field(state, 'timestamp');
  const stateChangedAt = Rules.EVENT_TIME.test(timestamp) ? Date.parse(timestamp) : NaN;
  const event: AlarmEvent = {
    id,
    time,
    alarmArn: arn,
    alarmName: isText(alarmName, Rules.MAX_ALARM_NAME_LENGTH) ? alarmName : arnParts.alarmName,
    state: value,
    // CloudWatch never sends a longer reason; a longer one is kept, cut to that cap.
    stateReason: typeof reason === 'string' ? reason.slice(0, Rules.MAX_STATE_REASON_LENGTH) : undefined,
    stateTimestamp: typeof timestamp === 'string' ? timestamp.slice(0, Rules.MAX_EVENT_TIME_LENGTH) : undefined,
    stateChangedAt: Number.isNaN(stateChangedAt) ? undefined : stateChangedAt,
    // The event time is when EventBridge saw the change, at or after it.
    alarmAt: Number.isNaN(stateChangedAt) ? Date.parse(time) : stateChangedAt,
    alarmAtSource: Number.isNaN(stateChangedAt) ? 'time' : 'detail.state.timestamp',
  };
  if (!target.triggerStates.includes(value)) {
    return refuse(RollbackOutcome.IGNORED, `the alarm entered ${describe(value)}; target ${target.name} acts on ${target.triggerStates.join(' and ')} only`, event);
  }
  if (!target.alarmArns.includes(arn)) {
    if (!target.alarmTags) {
      return refuse(RollbackOutcome.REJECTED, `alarm ${arn} is not one of the alarms of target ${target.name}; check the rule's event pattern`, event);
    }
    const mismatch = tagMismatch(detail, target.alarmTags);
    if (mismatch) {
      return refuse(RollbackOutcome.REJECTED, `alarm ${arn} is not one of the alarms of target ${target.name}: ${mismatch}`, event);
    }
  }
  // A composite alarm whose actions are suppressed says so in its event
  // (`detail.state.actionsSuppressedBy`, CloudWatch User Guide, "Alarm events
  // and EventBridge"); it runs none of its actions, and neither do we unless
  // the target acts on paused alarms. When the suppression ends CloudWatch
  // sends an ALARM -> ALARM event without it, which acts like any other.
  const suppressedBy = field(state, 'actionsSuppressedBy');
  if (suppressedBy !== undefined && suppressedBy !== null && !target.actOnPausedAlarms) {
    const why = field(state, 'actionsSuppressedReason');
    const because = typeof why === 'string' ? `: ${why.slice(0, Rules.MAX_STATE_REASON_LENGTH)}` : '';
    return refuse(RollbackOutcome.IGNORED, `the alarm's actions are suppressed by ${describe(suppressedBy)}${because}; target ${target.name} does not act on paused alarms`, event);
  }
  return { ok: true, target, event };
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

/**
 * Why an event's alarm tags do not make the alarm one of the target's, or
 * undefined when `detail.alarmTags` holds every one of the target's tags with
 * exactly its value. CloudWatch puts the tags there only for an alarm with
 * tag propagation on, and says in `detail.alarmTagsStatus` whether it could
 * read them ("Alarm events and EventBridge" and "Alarm tags in action
 * payloads", CloudWatch User Guide); a status other than SUCCESS is named in
 * the reason, since it explains a missing tag.
 */
function tagMismatch(detail: Record<string, unknown>, wanted: Record<string, string>): string | undefined {
  const status = field(detail, 'alarmTagsStatus');
  const because = status !== undefined && status !== 'SUCCESS' ? ` (the event's detail.alarmTagsStatus is ${describe(status)})` : '';
  const tags = field(detail, 'alarmTags');
  if (!isRecord(tags)) {
    return `the event carries no detail.alarmTags${because}, and the target routes by tags ${describe(wanted)}; turn on the alarm's tag propagation (AlarmTagPropagation)`;
  }
  const wrong = Object.entries(wanted).flatMap(([key, value]) => {
    const actual = field(tags, key);
    if (actual === undefined) return [`tag ${describe(key)} is missing`];
    return actual === value ? [] : [`tag ${describe(key)} is ${describe(actual)}, not ${describe(value)}`];
  });
  if (wrong.length === 0) {
    return undefined;
  }
  return `${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? `, and ${wrong.length - 3} more` : ''}${because}`;
}

function reject(reason: string): RefusedInput {
  return { ok: false, outcome: RollbackOutcome.REJECTED, reason, event: {} };
}
