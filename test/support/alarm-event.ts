import { randomUUID } from 'crypto';
import metricAlarmEvent from '../fixtures/metric-alarm-state-change.json';

/**
 * The one builder of a CloudWatch "Alarm State Change" event as EventBridge
 * delivers it ("Alarm events and EventBridge", Amazon CloudWatch User
 * Guide). Every field not given is the fixture's.
 */
export interface AlarmEventOptions {
  /** The fixture to start from (a composite alarm's, a forwarded one). @default the metric alarm fixture */
  readonly base?: object;
  /** The alarm that changed state: the event's one resource and `detail.alarmName`. @default the fixture's */
  readonly alarmName?: string;
  /** The EventBridge event id. @default the fixture's */
  readonly id?: string;
  /**
   * When the alarm changed state, epoch ms: the event time EventBridge
   * stamps (whole seconds) and the state timestamp in CloudWatch's format.
   * @default the fixture's
   */
  readonly changedAt?: number;
  /** Top-level fields replaced last, as they are: for events the handler must refuse. @default none */
  readonly changes?: Record<string, unknown>;
}

/** The account and Region of the fixtures, and of the handler tests' alarms. */
export const FIXTURE_ACCOUNT = '123456789012';
export const FIXTURE_REGION = 'us-east-1';

/** An alarm's ARN in the fixtures' account and Region. */
export const alarmArn = (name: string) => `arn:aws:cloudwatch:${FIXTURE_REGION}:${FIXTURE_ACCOUNT}:alarm:${name}`;

export const METRIC_ALARM_ARN = metricAlarmEvent.resources[0];
export const COMPOSITE_ALARM_ARN = alarmArn('checkout-health');

export function alarmEvent(options: AlarmEventOptions = {}): Record<string, any> {
  const event = structuredClone(options.base ?? metricAlarmEvent) as Record<string, any>;
  if (options.alarmName !== undefined) {
    event.resources = [alarmArn(options.alarmName)];
    event.detail.alarmName = options.alarmName;
  }
  if (options.id !== undefined) {
    event.id = options.id;
  }
  if (options.changedAt !== undefined) {
    event.time = new Date(Math.floor(options.changedAt / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    event.detail.state.timestamp = cloudWatchTime(options.changedAt);
  }
  return { ...event, ...options.changes };
}

/**
 * A fresh event id and a state change now: for runs against the local
 * services, whose deployments run on the real clock and whose handler judges
 * deployments at the state change.
 */
export const happeningNow = (): Pick<AlarmEventOptions, 'id' | 'changedAt'> => ({ id: randomUUID(), changedAt: Date.now() });

/** `2026-11-20T14:03:10.109+0000`, the way CloudWatch writes a state timestamp. */
export function cloudWatchTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, '+0000');
}
