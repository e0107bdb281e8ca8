import { randomUUID } from 'crypto';
import { readJson } from './cloud-assembly';
import { describeUnknownKey, findUnknownKey, listOf, objectOf, Shape, VALUE, valuesOf } from './known-keys';
import { SimulationInputError } from './simulation-input-error';
import { ALARM_STATE_CHANGE, PROTON_ENVIRONMENT_STATUS_CHANGE } from '../../src/contract';

/** The event field that gives `time` relative to the start, as state files give `startedMinutesAgo` for `startedAt`. */
export const RELATIVE_TIME_FIELD = 'timeMinutesAgo';

/** An alarm's `state` and `previousState` ("Alarm events and EventBridge", Amazon CloudWatch User Guide). */
const ALARM_STATE = valuesOf('value', 'reason', 'reasonData', 'timestamp', 'actionsSuppressedBy', 'actionsSuppressedReason');

/**
 * The `detail` of the events simulate acts on, by `detail-type`: CloudWatch's
 * alarm state change ("Alarm events and EventBridge", Amazon CloudWatch User
 * Guide; `alarmTags` and `alarmTagsStatus` with tag propagation on, "Alarm
 * tags in action payloads") and Proton's environment status change ("AWS
 * Proton events"). The tags and a metric's dimensions are the user's own
 * names and are not looked into. Another detail-type's detail is not checked.
 */
const DETAILS: { readonly [detailType: string]: Shape } = {
  [ALARM_STATE_CHANGE]: objectOf({
    alarmName: VALUE,
    state: ALARM_STATE,
    previousState: ALARM_STATE,
    configuration: objectOf({
      description: VALUE,
      metrics: listOf(objectOf({
        id: VALUE,
        metricStat: objectOf({ metric: objectOf({ namespace: VALUE, name: VALUE, dimensions: VALUE }), period: VALUE, stat: VALUE, unit: VALUE }),
        expression: VALUE,
        label: VALUE,
        returnData: VALUE,
        period: VALUE,
        accountId: VALUE,
      })),
      alarmRule: VALUE,
      actionsSuppressor: VALUE,
      actionsSuppressorWaitPeriod: VALUE,
      actionsSuppressorExtensionPeriod: VALUE,
    }),
    alarmTags: VALUE,
    alarmTagsStatus: VALUE,
  }),
  [PROTON_ENVIRONMENT_STATUS_CHANGE]: valuesOf('name', 'status', 'previousStatus'),
};

/** The EventBridge envelope ("Amazon EventBridge events", EventBridge User Guide), and `timeMinutesAgo` for `time`. */
function eventShape(detailType: string): Shape {
  return objectOf({
    'version': VALUE,
    'id': VALUE,
    'detail-type': VALUE,
    'source': VALUE,
    'account': VALUE,
    'time': VALUE,
    [RELATIVE_TIME_FIELD]: VALUE,
    'region': VALUE,
    'resources': VALUE,
    'replay-name': VALUE,
    'detail': Object.prototype.hasOwnProperty.call(DETAILS, detailType) ? DETAILS[detailType] : VALUE,
  });
}

/**
 * Reads an event file: one EventBridge event (a CloudWatch "Alarm State
 * Change"), or a list of them delivered in order.
 *
 * Written by hand, an event may leave out what EventBridge would fill in:
 * `timeMinutesAgo` instead of `time` (minutes before `now`, the start of the
 * simulation, so files do not rot), and no `id` (a fresh UUID, different for
 * every entry; give the same id twice to simulate a redelivery). The alarm's
 * `detail.state.timestamp` follows `time` when it is left out.
 *
 * A key that neither EventBridge's envelope nor the event's detail-type has
 * (a typo such as `"resource"`) is refused with its path and the closest
 * known key, rather than making the event silently match no rule.
 */
export function readEventFile(file: string, now = Date.now()): { source: string; event: Record<string, unknown> }[] {
  const content = readJson(file, 'the event file');
  const events = Array.isArray(content) ? content : [content];
  if (events.length === 0) {
    throw new SimulationInputError(`the event file ${file} holds an empty list: put one event (an object) or a list of events in it`);
  }
  return events.map((event, index) => {
    const at = `the event file ${file}${events.length > 1 ? ` (entry ${index})` : ''}`;
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new SimulationInputError(`${at} is not an event object: use an EventBridge event with "source", "detail-type", "resources" and "detail"`);
    }
    if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') {
      throw new SimulationInputError(`${at} has no "source" and "detail-type": use an EventBridge event, e.g. a CloudWatch Alarm State Change`);
    }
    const unknown = findUnknownKey(event, eventShape(event['detail-type']));
    if (unknown) {
      throw new SimulationInputError(`${at}: ${describeUnknownKey(unknown)} (a "${event['detail-type']}" event); remove or rename it`);
    }
    return { source: events.length > 1 ? `${file}#${index}` : file, event: withEventBridgeFields(event, at, now) };
  });
}

function withEventBridgeFields(event: Record<string, any>, at: string, now: number): Record<string, unknown> {
  const { [RELATIVE_TIME_FIELD]: minutesAgo, ...rest } = event;
  if (minutesAgo === undefined) return { ...rest, id: rest.id ?? randomUUID() };
  if (typeof minutesAgo !== 'number' || !Number.isFinite(minutesAgo) || minutesAgo < 0) {
    throw new SimulationInputError(`${at}: ${RELATIVE_TIME_FIELD} must be a number of zero or more (minutes before the simulation starts)`);
  }
  if (rest.time !== undefined) {
    throw new SimulationInputError(`${at} gives both "time" and "${RELATIVE_TIME_FIELD}": keep one (${RELATIVE_TIME_FIELD} for a time relative to the start)`);
  }
  const time = new Date(now - minutesAgo * 60_000);
  const detail = rest.detail !== null && typeof rest.detail === 'object' && !Array.isArray(rest.detail) ? rest.detail : undefined;
  const state = detail?.state !== null && typeof detail?.state === 'object' ? detail.state : undefined;
  return {
    ...rest,
    id: rest.id ?? randomUUID(),
    // Whole seconds in `time`, milliseconds and a +0000 offset in the alarm's timestamps, as in the
    // example events of "Alarm events and EventBridge" (Amazon CloudWatch User Guide).
    time: time.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(detail ? { detail: { ...detail, ...(state ? { state: { ...state, timestamp: state.timestamp ?? cloudWatchTimestamp(time) } } : {}) } } : {}),
  };
}

/** A CloudWatch alarm state timestamp: `2026-11-20T14:05:42.004+0000`. */
export function cloudWatchTimestamp(time: Date): string {
  return time.toISOString().replace(/Z$/, '+0000');
}
