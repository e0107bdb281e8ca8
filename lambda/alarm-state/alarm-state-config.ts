import { AlarmReadFailure, HandlerEnv } from '../../src/contract';
import { HandlerConfig, positiveNumber, readConfig } from '../config';

/**
 * Milliseconds an alarm read may take when the construct sets no budget: the
 * Proton start rule's read, which runs on the event path, with room for the
 * SDK's retries of a throttled call. The AppConfig check's read is cut
 * further by its answer deadline (answer-deadline.ts): AppConfig waits for
 * that answer synchronously and documents no wait (AppConfig User Guide,
 * "Step 3: Create a custom AWS AppConfig extension"); AWS's Datadog tick
 * sample says it waits 3 seconds.
 */
export const DEFAULT_ALARM_READ_BUDGET_MS = 3_000;

export interface AlarmStateConfig extends HandlerConfig {
  readonly alarmReadFailure: AlarmReadFailure;
  readonly alarmReadBudgetMs: number;
}

/** The rollback handler's settings plus the check's own two; a bad value fails at cold start. */
export function readAlarmStateConfig(env: NodeJS.ProcessEnv = process.env): AlarmStateConfig {
  const base = readConfig(env);
  const policy = env[HandlerEnv.ALARM_READ_FAILURE] || AlarmReadFailure.ROLL_BACK;
  if (policy !== AlarmReadFailure.ROLL_BACK && policy !== AlarmReadFailure.CONTINUE) {
    throw new Error(`${HandlerEnv.ALARM_READ_FAILURE} is "${policy}"; it must be ${AlarmReadFailure.ROLL_BACK} or ${AlarmReadFailure.CONTINUE}.`);
  }
  const budget = positiveNumber(env, HandlerEnv.ALARM_READ_BUDGET_MS, DEFAULT_ALARM_READ_BUDGET_MS, 'a positive number of milliseconds');
  return { ...base, alarmReadFailure: policy, alarmReadBudgetMs: budget };
}
