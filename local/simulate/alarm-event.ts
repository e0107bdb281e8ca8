import { randomUUID } from 'crypto';
import { ALARM_STATE_CHANGE, CLOUDWATCH_SOURCE } from '../../src/contract';

export interface AlarmEventOptions {
  readonly alarmArn: string;
  /** @default 'ALARM' */
  readonly state?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** @default 'OK' for ALARM, else 'ALARM' */
  readonly previousState?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** @default - a new UUID */
  readonly id?: string;
  /** @default - now */
  readonly time?: string;
  /** @default 'the alarm changed state' */
  readonly reason?: string;
  /** The alarm's `reasonData` (a JSON string), as CloudWatch sends for metric and composite alarms. @default - none */
  readonly reasonData?: string;
  /** `detail.configuration`: a metric alarm's `metrics`, a composite alarm's `alarmRule`. @default - a description only */
  readonly configuration?: Record<string, unknown>;
  /**
   * The alarm's tags, as CloudWatch puts them into the event of an alarm
   * with tag propagation on: `detail.alarmTags`, with `detail.alarmTagsStatus`
   * `SUCCESS` ("Alarm events and EventBridge", CloudWatch User Guide).
   * @default - none: the event of an alarm without tag propagation
   */
  readonly alarmTags?: Record<string, string>;
}

/**
 * A CloudWatch "Alarm State Change" event as EventBridge delivers it, for the
 * alarm an ARN names (account, region and name are read from the ARN).
 */
export function alarmStateChange(options: AlarmEventOptions): Record<string, unknown> {
  const [, partition, , region, account, , ...name] = options.alarmArn.split(':');
  const state = options.state ?? 'ALARM';
  const at = new Date().toISOString();
  const time = options.time ?? at.replace(/\.\d+Z$/, 'Z');
  // CloudWatch stamps the state change to the millisecond; EventBridge's time has whole seconds.
  const stateTimestamp = options.time ? options.time.replace(/Z$/, '.000+0000') : at.replace(/Z$/, '+0000');
  return {
    'version': '0',
    'id': options.id ?? randomUUID(),
    'detail-type': ALARM_STATE_CHANGE,
    'source': CLOUDWATCH_SOURCE,
    account,
    time,
    region,
    'resources': [options.alarmArn],
    'detail': {
      alarmName: name.join(':'),
      state: {
        value: state,
        reason: options.reason ?? 'the alarm changed state',
        ...(options.reasonData !== undefined ? { reasonData: options.reasonData } : {}),
        timestamp: stateTimestamp,
      },
      previousState: { value: options.previousState ?? (state === 'ALARM' ? 'OK' : 'ALARM'), timestamp: time.replace(/Z$/, '.000+0000') },
      configuration: options.configuration ?? { description: `simulated state change of ${partition} alarm ${name.join(':')}` },
      ...(options.alarmTags !== undefined ? { alarmTags: { ...options.alarmTags }, alarmTagsStatus: 'SUCCESS' } : {}),
    },
  };
}
