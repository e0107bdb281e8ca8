import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, ListAlarmMuteRulesCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';
import { createHandler } from '../../lambda/rollback/rollback.lambda';
import type { Clients } from '../../lambda/shared/clients';
import type { HandlerConfig } from '../../lambda/shared/config';

export { COMPOSITE_ALARM_ARN, METRIC_ALARM_ARN, alarmEvent, cloudWatchTime } from '../support/alarm-event';
export { appConfigTarget, protonTarget, ruleInput, stackTarget } from '../support/rule-input';

export const CONFIG: HandlerConfig = {
  ledgerTable: 'ledger',
  retentionDays: 30,
  dryRun: false,
  metricNamespace: 'CdkAlarmRollback',
  rollbackName: 'Stack/Rollback',
  claimLeaseSeconds: 30,
};

/** Epoch ms a little after the fixture's state change. */
export const NOW = Date.parse('2026-11-20T14:03:11.000Z');

export function testHandler(config: Partial<HandlerConfig> = {}, now: () => number = () => NOW) {
  const clients: Clients = {
    dynamo: () => new DynamoDBClient({ region: 'us-east-1' }),
    appConfig: async () => new AppConfigClient({ region: 'us-east-1' }),
    proton: async () => new ProtonClient({ region: 'us-east-1' }),
    sns: async () => new SNSClient({ region: 'us-east-1' }),
    cloudWatch: async () => new CloudWatchClient({ region: 'us-east-1' }),
    cloudFormation: async () => new CloudFormationClient({ region: 'us-east-1' }),
  };
  return createHandler({ clients, config: () => ({ ...CONFIG, ...config }), now });
}

/** Captures the handler's stdout lines as parsed JSON. */
export function captureLogs(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const captured: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void captured.push(line));
  const error = jest.spyOn(console, 'error').mockImplementation((line: string) => void captured.push(line));
  return {
    lines: () => captured.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      log.mockRestore();
      error.mockRestore();
    },
  };
}

/**
 * Mocks DescribeAlarms on the CloudWatch client class so every alarm asked
 * for is in ALARM with its actions enabled, and ListAlarmMuteRules so no mute
 * rule mutes it: the event path's read of the actions switch then lets the
 * event act, as a live alarm would.
 */
export function mockActiveAlarms(mock: AwsStub<any, any, any>): void {
  mock.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((name) => ({ AlarmName: name, StateValue: 'ALARM', ActionsEnabled: true })),
    CompositeAlarms: [],
  }));
  mock.on(ListAlarmMuteRulesCommand).resolves({ AlarmMuteRuleSummaries: [] });
}
