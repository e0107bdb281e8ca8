import { COMPOSITE_ALARM_ARN, METRIC_ALARM_ARN } from './alarm-event';
import {
  AppConfigTargetInput,
  CloudFormationStackTargetInput,
  INPUT_VERSION,
  ProtonEnvironmentTargetInput,
  RollbackInput,
  TargetInput,
} from '../../src/contract';
import metricAlarmEvent from '../fixtures/metric-alarm-state-change.json';

// The one builder of each part of the input an EventBridge rule hands the
// handler: the target as the construct writes it, and the input around it.

/** An AppConfig target; `overrides` replace the defaults' fields. */
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

/** A Proton environment target; `overrides` replace the defaults' fields. */
export const protonTarget = (overrides: Partial<ProtonEnvironmentTargetInput> = {}): ProtonEnvironmentTargetInput => ({
  kind: 'proton-environment',
  name: 'Stack/Rollback/ProdEnvironment',
  alarmArns: [METRIC_ALARM_ARN],
  triggerStates: ['ALARM'],
  actOnPausedAlarms: false,
  environmentName: 'prod',
  ...overrides,
});

/** A CloudFormation stack target; `overrides` replace the defaults' fields. */
export const stackTarget = (overrides: Partial<CloudFormationStackTargetInput> = {}): CloudFormationStackTargetInput => ({
  kind: 'cloudformation-stack',
  name: 'Stack/Rollback/Checkout',
  alarmArns: [METRIC_ALARM_ARN],
  triggerStates: ['ALARM'],
  actOnPausedAlarms: false,
  stackName: 'Checkout',
  ...overrides,
});

/** A rule's input: its target and the event (the metric alarm fixture unless given). */
export function ruleInput(target: TargetInput, event: unknown = metricAlarmEvent): RollbackInput {
  return { version: INPUT_VERSION, target, event };
}
