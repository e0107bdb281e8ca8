import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { CloudWatchClient, DescribeAlarmsCommand, ListAlarmMuteRulesCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';
import { createHandler } from '../../lambda/rollback/rollback.lambda';
import type { Clients } from '../../lambda/shared/clients';
import type { HandlerConfig } from '../../lambda/shared/config';
import {
  AppConfigTargetInput,
  INPUT_VERSION,
  ProtonEnvironmentTargetInput,
  RollbackInput,
} from '../../src/contract';
import metricAlarmEvent from '../fixtures/metric-alarm-state-change.json';

export const METRIC_ALARM_ARN = metricAlarmEvent.resources[0];
export const COMPOSITE_ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-health';

export const appConfigTarget = (overrides: Partial<AppConfigTargetInput> = {}): AppConfigTargetInput => ({
  kind: 'appconfig',
  name: 'Stack/Rollback/ConfigRollout',
  alarmArns: [METRIC_ALARM_ARN, COMPOSITE_ALARM_ARN],
  triggerStates: ['ALARM'],
  actOnPausedAlarms: false,
  applicationId: 'abc1234',
  environmentId: 'env5678',
  revertCompletedWithinSeconds: 0,
  ...overrides,
});

export const protonTarget = (overrides: Partial<ProtonEnvironmentTargetInput> = {}): ProtonEnvironmentTargetInput => ({
  kind: 'proton-environment',
  name: 'Stack/Rollback/ProdEnvironment',
  alarmArns: [METRIC_ALARM_ARN],
  triggerStates: ['ALARM'],
  actOnPausedAlarms: false,
  environmentName: 'prod',
  ...overrides,
});

export function ruleInput(target: AppConfigTargetInput | ProtonEnvironmentTargetInput, event: unknown = metricAlarmEvent): RollbackInput {
  return { version: INPUT_VERSION, target, event };
}

/** A copy of the metric alarm fixture with other fields. */
export function alarmEvent(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(metricAlarmEvent), ...changes };
}

export const CONFIG: HandlerConfig = {
  ledgerTable: 'ledger',
  retentionDays: 30,
  dryRun: false,
  metricNamespace: 'CdkAlarmRollback',
  rollbackName: 'Stack/Rollback',
  claimLeaseSeconds: 30,
};

/**
 * The metric alarm fixture (or `base`) as if the alarm changed state at
 * `changedAt` (epoch ms): the event time EventBridge stamps, whole seconds,
 * and the state timestamp in CloudWatch's own format. For tests against
 * local services, whose deployments run on the real clock.
 */
export function eventAt(changedAt: number, base: object = metricAlarmEvent): Record<string, any> {
  const event = structuredClone(base) as Record<string, any>;
  event.time = new Date(Math.floor(changedAt / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  event.detail.state.timestamp = cloudWatchTime(changedAt);
  return event;
}

/** `2026-11-20T14:03:10.109+0000`, the way CloudWatch writes a state timestamp. */
export function cloudWatchTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, '+0000');
}

/** Epoch ms a little after the fixture's state change. */
export const NOW = Date.parse('2026-11-20T14:03:11.000Z');

export function testHandler(config: Partial<HandlerConfig> = {}, now: () => number = () => NOW) {
  const clients: Clients = {
    dynamo: () => new DynamoDBClient({ region: 'us-east-1' }),
    appConfig: async () => new AppConfigClient({ region: 'us-east-1' }),
    proton: async () => new ProtonClient({ region: 'us-east-1' }),
    sns: async () => new SNSClient({ region: 'us-east-1' }),
    cloudWatch: async () => new CloudWatchClient({ region: 'us-east-1' }),
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
