import { describe, field, isRecord, isText } from './fields';
import { ALARM_STATE_CHANGE, CLOUDWATCH_SOURCE, RollbackOutcome, Rules, TargetInput, parseAlarmArn } from '../../../src/contract';

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

/** An alarm event for a target, ready to run against it (from the rule input, or made by a start check). */
export interface AcceptedInput {
  readonly ok: true;
  readonly target: TargetInput;
  readonly event: AlarmEvent;
}

/** The envelope fields every EventBridge event carries, read before its source is known. */
export interface EventEnvelope {
  readonly id: string;
  readonly time: string;
}

/** A CloudWatch alarm state change, read: the event, and its `detail` and `detail.state` for the target's own checks. */
export interface ReadAlarmEvent {
  readonly ok: true;
  readonly event: AlarmEvent;
  readonly detail: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/** An event that is no alarm state change, or not a readable one; `event` holds what was read of it. */
export interface UnreadAlarmEvent {
  readonly ok: false;
  readonly outcome: RollbackOutcome.IGNORED | RollbackOutcome.REJECTED;
  readonly reason: string;
  readonly event: Partial<AlarmEvent>;
}

/**
 * Reads the envelope of an EventBridge event: its id and time, which every
 * record of it carries, or why it is no readable event.
 */
export function readEnvelope(raw: unknown): EventEnvelope | UnreadAlarmEvent {
  if (!isRecord(raw)) {
    return unread(RollbackOutcome.REJECTED, `the event is ${describe(raw)}, not an EventBridge event object`);
  }
  const id = field(raw, 'id');
  const time = field(raw, 'time');
  if (!Rules.EVENT_ID.test(id)) {
    return unread(RollbackOutcome.REJECTED, `the event id is ${describe(id)}; EventBridge event ids are UUIDs`);
  }
  if (!Rules.EVENT_TIME.test(time)) {
    return unread(RollbackOutcome.REJECTED, `the event time is ${describe(time)}; EventBridge events carry an ISO 8601 time`, { id });
  }
  return { id, time };
}

/**
 * Reads a "CloudWatch Alarm State Change" event (CloudWatch User Guide,
 * "Alarm events and EventBridge") whose envelope `seen` was already read.
 * Nothing here trusts the shape of the event: every field is read as an own
 * property and checked for type and size before use.
 */
export function readAlarmEvent(raw: Record<string, unknown>, seen: EventEnvelope): ReadAlarmEvent | UnreadAlarmEvent {
  const source = field(raw, 'source');
  if (source !== CLOUDWATCH_SOURCE) {
    return unread(RollbackOutcome.IGNORED, `the event source is ${describe(source)}, not ${CLOUDWATCH_SOURCE}`, seen);
  }
  const detailType = field(raw, 'detail-type');
  if (detailType !== ALARM_STATE_CHANGE) {
    return unread(RollbackOutcome.IGNORED, `the event detail-type is ${describe(detailType)}, not ${ALARM_STATE_CHANGE}`, seen);
  }

  const resources = field(raw, 'resources');
  const alarmArn = Array.isArray(resources) ? resources[0] : undefined;
  const arnParts = parseAlarmArn(alarmArn);
  if (!Array.isArray(resources) || resources.length !== 1 || !arnParts) {
    return unread(RollbackOutcome.REJECTED, `the event resources are ${describe(resources)}; an alarm state change names exactly one alarm ARN`, seen);
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
    return unread(RollbackOutcome.REJECTED, `the event comes from account ${describe(field(raw, 'account'))} in region ${describe(field(raw, 'region'))}, but alarm ${arn} lives in ${arnAccount} ${arnRegion}`, { ...seen, alarmArn: arn });
  }
  const detail = field(raw, 'detail');
  const state = isRecord(detail) ? field(detail, 'state') : undefined;
  const value = isRecord(state) ? field(state, 'value') : undefined;
  if (!isRecord(detail) || !isRecord(state) || !isText(value, 32)) {
    return unread(RollbackOutcome.REJECTED, `the event detail.state is ${describe(state)}; an alarm state change carries detail.state.value`, { ...seen, alarmArn: arn });
  }
  const alarmName = field(detail, 'alarmName');
  const reason = field(state, 'reason');
  const timestamp = field(state, 'timestamp');
  const stateChangedAt = Rules.EVENT_TIME.test(timestamp) ? Date.parse(timestamp) : NaN;
  const event: AlarmEvent = {
    ...seen,
    alarmArn: arn,
    alarmName: isText(alarmName, Rules.MAX_ALARM_NAME_LENGTH) ? alarmName : arnParts.alarmName,
    state: value,
    // CloudWatch never sends a longer reason; a longer one is kept, cut to that cap.
    stateReason: typeof reason === 'string' ? reason.slice(0, Rules.MAX_STATE_REASON_LENGTH) : undefined,
    stateTimestamp: typeof timestamp === 'string' ? timestamp.slice(0, Rules.MAX_EVENT_TIME_LENGTH) : undefined,
    stateChangedAt: Number.isNaN(stateChangedAt) ? undefined : stateChangedAt,
    // The event time is when EventBridge saw the change, at or after it.
    alarmAt: Number.isNaN(stateChangedAt) ? Date.parse(seen.time) : stateChangedAt,
    alarmAtSource: Number.isNaN(stateChangedAt) ? 'time' : 'detail.state.timestamp',
  };
  return { ok: true, event, detail, state };
}

function unread(outcome: UnreadAlarmEvent['outcome'], reason: string, event: Partial<AlarmEvent> = {}): UnreadAlarmEvent {
  return { ok: false, outcome, reason, event };
}
