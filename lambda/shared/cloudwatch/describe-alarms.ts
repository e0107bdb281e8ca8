import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CHECKED_ALARM_TYPES } from '../../../src/contract';
import type { CallTrace } from '../call-trace';
import { AlarmReadTimeoutError, UnexpectedAnswerError } from '../errors';

/**
 * DescribeAlarms takes at most 100 names in `AlarmNames` (CloudWatch API
 * Reference, DescribeAlarms; botocore cloudwatch 2010-08-01, AlarmNames max 100).
 */
export const MAX_NAMES_PER_CALL = 100;

/** The most DescribeAlarms returns in one page (`MaxRecords`, 1 to 100 in the same model). */
const MAX_RECORDS = 100;

/**
 * The alarm types DescribeAlarms returns, each in a response member of its
 * own: `MetricAlarms`, `CompositeAlarms` and `LogAlarms` (the AlarmType enum
 * of @aws-sdk/client-cloudwatch 3.1164.0 and the CloudWatch API Reference,
 * DescribeAlarms and LogAlarm; the AWS CLI's `log-alarm-exists` waiter polls
 * `LogAlarms[]` of describe-alarms). Every type is asked for: a type left out
 * of `AlarmTypes` is silently left out of the answer, and its alarm would
 * read as missing.
 */
export const ALARM_KINDS = Object.keys(CHECKED_ALARM_TYPES) as AlarmKind[];

export type AlarmKind = keyof typeof CHECKED_ALARM_TYPES;

/** What the alarm-state decisions need of one alarm. */
export interface AlarmReading {
  readonly name: string;
  readonly arn?: string;
  readonly type: AlarmKind;
  readonly state: string;
  /** False while the alarm's actions are disabled (DisableAlarmActions). */
  readonly actionsEnabled: boolean;
  /** Composite alarms only: `Alarm`, `WaitPeriod` or `ExtensionPeriod` while their actions are suppressed. */
  readonly actionsSuppressedBy?: string;
  /**
   * The active alarm mute rules muting its actions, when they were read
   * (ListAlarmMuteRules; DescribeAlarms does not say): see `read-alarm-mutes.ts`.
   */
  readonly mutedBy?: readonly string[];
  /** Why the mute rules could not be read, when they were asked for and could not be. */
  readonly mutesUnread?: string;
  /**
   * When the alarm's state value last changed, epoch ms: `StateTransitionedTimestamp`
   * ("the date and time that the alarm's StateValue most recently changed",
   * CloudWatch API Reference, MetricAlarm and CompositeAlarm), not
   * `StateUpdatedTimestamp`, which also moves when only the reason changes.
   */
  readonly enteredStateAt?: number;
  /** When the alarm's configuration last changed, epoch ms (`AlarmConfigurationUpdatedTimestamp`). */
  readonly configuredAt?: number;
}

/**
 * Reads the named alarms, metric, composite and log, in pages of at most 100
 * names. `AlarmTypes` names every type: without it DescribeAlarms returns
 * metric alarms only, and it returns composite alarms only to a caller whose
 * `cloudwatch:DescribeAlarms` permission is on `*` (DescribeAlarms API
 * reference), which is why the construct grants it there.
 *
 * A name the answer leaves out is an alarm that no longer exists (or lives
 * in another account or region); the caller decides what that means.
 * Once `withinMs` has passed, the calls are aborted and the read rejects
 * with `AlarmReadTimeoutError`.
 */
export async function describeAlarms(
  client: CloudWatchClient,
  trace: CallTrace,
  names: readonly string[],
  withinMs: number,
): Promise<AlarmReading[]> {
  const batches: string[][] = [];
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += MAX_NAMES_PER_CALL) {
    batches.push(unique.slice(i, i + MAX_NAMES_PER_CALL));
  }
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new AlarmReadTimeoutError(withinMs));
    }, withinMs);
  });
  try {
    const pages = Promise.all(batches.map((batch) => readBatch(client, trace, batch, abort.signal)));
    return (await Promise.race([pages, late])).flat();
  } finally {
    clearTimeout(timer);
  }
}

async function readBatch(client: CloudWatchClient, trace: CallTrace, names: string[], abortSignal: AbortSignal): Promise<AlarmReading[]> {
  const readings: AlarmReading[] = [];
  let nextToken: string | undefined;
  do {
    trace.add('cloudwatch:DescribeAlarms');
    const answer = await client.send(new DescribeAlarmsCommand({
      AlarmNames: names,
      AlarmTypes: [...ALARM_KINDS],
      MaxRecords: MAX_RECORDS,
      NextToken: nextToken,
    }), { abortSignal });
    for (const alarm of answer.MetricAlarms ?? []) {
      readings.push(reading(alarm, 'MetricAlarm'));
    }
    for (const alarm of answer.CompositeAlarms ?? []) {
      readings.push(reading(alarm, 'CompositeAlarm'));
    }
    for (const alarm of answer.LogAlarms ?? []) {
      readings.push(reading(alarm, 'LogAlarm'));
    }
    nextToken = answer.NextToken || undefined;
  } while (nextToken !== undefined);
  return readings;
}

interface DescribedAlarm {
  AlarmName?: string;
  AlarmArn?: string;
  StateValue?: string;
  ActionsEnabled?: boolean;
  ActionsSuppressedBy?: string;
  StateTransitionedTimestamp?: Date;
  AlarmConfigurationUpdatedTimestamp?: Date;
}

function reading(alarm: DescribedAlarm, type: AlarmReading['type']): AlarmReading {
  if (typeof alarm.AlarmName !== 'string' || typeof alarm.StateValue !== 'string') {
    throw new UnexpectedAnswerError(`CloudWatch DescribeAlarms returned a ${type} without AlarmName or StateValue`);
  }
  return {
    name: alarm.AlarmName,
    arn: alarm.AlarmArn,
    type,
    state: alarm.StateValue,
    // The model documents ActionsEnabled on both alarm types; an answer without
    // it is read as enabled, the side that lets an alarm act.
    actionsEnabled: alarm.ActionsEnabled !== false,
    actionsSuppressedBy: alarm.ActionsSuppressedBy || undefined,
    enteredStateAt: epochMs(alarm.StateTransitionedTimestamp),
    configuredAt: epochMs(alarm.AlarmConfigurationUpdatedTimestamp),
  };
}

/** A timestamp of the answer, or undefined when it is absent or not a date. */
function epochMs(at: Date | undefined): number | undefined {
  const ms = at instanceof Date ? at.getTime() : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
