import { CloudWatchClient, ListAlarmMuteRulesCommand } from '@aws-sdk/client-cloudwatch';
import type { CallTrace } from '../call-trace';
import { errorText } from '../errors';
import type { AlarmReading } from './describe-alarms';

/**
 * The names of the alarm mute rules muting `alarmName`'s actions now.
 *
 * An alarm mute rule (AWS::CloudWatch::AlarmMuteRule) leaves its alarms
 * evaluating and changing state while "their configured actions are muted"
 * (CloudWatch API Reference, MuteTargets and PutAlarmMuteRule). DescribeAlarms
 * says nothing of it; ListAlarmMuteRules filtered by `AlarmName` and
 * `Statuses: ACTIVE` lists the rules targeting the alarm that are "currently
 * muting alarm actions" (GetAlarmMuteRule's statuses). It is one request per
 * alarm, charged as any CloudWatch API request (the CloudWatch pricing page's
 * API requests, first million a month free), so the check asks only about
 * alarms already in a trigger state and not paused otherwise: normally none.
 */
export async function readAlarmMutes(client: CloudWatchClient, trace: CallTrace, alarmName: string, abortSignal?: AbortSignal): Promise<string[]> {
  const rules: string[] = [];
  let nextToken: string | undefined;
  do {
    trace.add('cloudwatch:ListAlarmMuteRules');
    const answer = await client.send(new ListAlarmMuteRulesCommand({
      AlarmName: alarmName,
      Statuses: ['ACTIVE'],
      MaxRecords: 100,
      NextToken: nextToken,
    }), { abortSignal });
    for (const rule of answer.AlarmMuteRuleSummaries ?? []) {
      // The summary names a rule only by its ARN, `...:alarm-mute-rule:<name>`.
      if (rule.Status === undefined || rule.Status === 'ACTIVE') {
        rules.push(rule.AlarmMuteRuleArn?.split(':').slice(6).join(':') || 'an unnamed rule');
      }
    }
    nextToken = answer.NextToken || undefined;
  } while (nextToken !== undefined);
  return rules;
}

/**
 * Reads the mute rules of the alarms in a trigger state, side by side, within
 * what is left of the budget. An alarm whose rules could not be read keeps no
 * `mutedBy` and so fires: its state is known, only the mute is not.
 */
export async function readMutes(
  client: CloudWatchClient, trace: CallTrace, names: string[], withinMs: number,
): Promise<(alarm: AlarmReading) => AlarmReading> {
  if (names.length === 0) {
    return (alarm) => alarm;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, withinMs));
  try {
    const answers = await Promise.allSettled(names.map((name) => readAlarmMutes(client, trace, name, abort.signal)));
    const byName = new Map(names.map((name, i) => [name, answers[i]]));
    return (alarm) => {
      const answer = byName.get(alarm.name);
      if (!answer) return alarm;
      return answer.status === 'fulfilled' ? { ...alarm, mutedBy: answer.value } : { ...alarm, mutesUnread: errorText(answer.reason) };
    };
  } finally {
    clearTimeout(timer);
  }
}
