import { AlarmReadFailurePolicy, AlarmReadFailurePolicyName, HandlerEnv } from '../../src/private/contract';
import { HandlerConfig, positiveNumber, readConfig } from '../config';

/**
 * Milliseconds the check may spend reading alarms when the construct sets no
 * budget. AWS documents neither how often AppConfig ticks nor how long it
 * waits for an extension (AppConfig User Guide, "Step 3: Create a custom AWS
 * AppConfig extension", is silent on both), so the check keeps its answer in
 * its own hands: 3 s covers DescribeAlarms with the SDK's retries of a
 * throttled call (its standard retry mode backs off up to about a second
 * between three attempts), and leaves most of the 10 s function timeout for
 * the claim and the record, so the policy, never a timeout, decides.
 */
export const DEFAULT_ALARM_READ_BUDGET_MS = 3_000;

export interface AlarmStateConfig extends HandlerConfig {
  readonly alarmReadFailure: AlarmReadFailurePolicyName;
  readonly alarmReadBudgetMs: number;
}

/** The rollback handler's settings plus the check's own two; a bad value fails at cold start. */
export function readAlarmStateConfig(env: NodeJS.ProcessEnv = process.env): AlarmStateConfig {
  const base = readConfig(env);
  const policy = env[HandlerEnv.ALARM_READ_FAILURE] || AlarmReadFailurePolicy.ROLL_BACK;
  if (policy !== AlarmReadFailurePolicy.ROLL_BACK && policy !== AlarmReadFailurePolicy.CONTINUE) {
    throw new Error(`${HandlerEnv.ALARM_READ_FAILURE} is "${policy}"; it must be ${AlarmReadFailurePolicy.ROLL_BACK} or ${AlarmReadFailurePolicy.CONTINUE}.`);
  }
  const budget = positiveNumber(env, HandlerEnv.ALARM_READ_BUDGET_MS, DEFAULT_ALARM_READ_BUDGET_MS, 'a positive number of milliseconds');
  return { ...base, alarmReadFailure: policy, alarmReadBudgetMs: budget };
}
