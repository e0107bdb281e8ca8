import { AlarmReadFailure, DEFAULT_NOTIFY_OUTCOMES, HandlerEnv, Metrics, RollbackOutcome } from '../../src/contract';

/**
 * The handler environment (the `HandlerEnv` variables the construct sets), read
 * in this one place for both entries: the rollback handler's settings, and the
 * alarm-state check's, which are the same plus two of its own.
 */

/** Everything the rollback handler reads from its environment. */
export interface HandlerConfig {
  readonly ledgerTable: string;
  readonly retentionDays: number;
  readonly topicArn?: string;
  /**
   * The outcomes published to the topic.
   *
   * @default - DEFAULT_NOTIFY_OUTCOMES, the outcomes a person acts on
   */
  readonly notifyOutcomes?: readonly RollbackOutcome[];
  readonly dryRun: boolean;
  readonly metricNamespace: string;
  readonly rollbackName: string;
  readonly claimLeaseSeconds: number;
}

/**
 * Reads the handler configuration. A missing or malformed variable is a
 * deployment defect, so it fails loudly at cold start instead of at the first
 * alarm.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  const ledgerTable = env[HandlerEnv.LEDGER_TABLE];
  if (!ledgerTable) {
    throw new Error(`${HandlerEnv.LEDGER_TABLE} is not set: deploy the handler through the AlarmRollback construct, which sets it to the ledger table name.`);
  }
  return {
    ledgerTable,
    retentionDays: positiveNumber(env, HandlerEnv.LEDGER_RETENTION_DAYS, 90),
    topicArn: env[HandlerEnv.NOTIFICATION_TOPIC_ARN] || undefined,
    notifyOutcomes: outcomeList(env, HandlerEnv.NOTIFY_OUTCOMES, DEFAULT_NOTIFY_OUTCOMES),
    dryRun: env[HandlerEnv.DRY_RUN] === 'true',
    metricNamespace: env[HandlerEnv.METRIC_NAMESPACE] || Metrics.DEFAULT_NAMESPACE,
    rollbackName: env[HandlerEnv.ROLLBACK_NAME] || 'AlarmRollback',
    claimLeaseSeconds: positiveNumber(env, HandlerEnv.CLAIM_LEASE_SECONDS, 60),
  };
}

/**
 * Milliseconds an alarm read may take when the construct sets no budget: the
 * Proton start rule's read, which runs on the event path, with room for the
 * SDK's retries of a throttled call. The AppConfig check's read is cut
 * further by its answer deadline (alarm-state/answer-deadline.ts): AppConfig waits for
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

/**
 * The rollback's name alone, as set (empty when unset), for the alarm-state
 * check's fault metric when the rest of its configuration cannot be read.
 */
export function readRollbackName(env: NodeJS.ProcessEnv = process.env): string {
  return env[HandlerEnv.ROLLBACK_NAME] ?? '';
}

/** A positive number, or `fallback` when unset or empty; `what` names the unit in the error. */
export function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, what = 'a positive number'): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} is "${raw}"; it must be ${what}.`);
  }
  return value;
}

/** A comma-separated list of outcome names; an unknown, repeated or missing name is a deployment defect. */
function outcomeList(env: NodeJS.ProcessEnv, name: string, fallback: readonly RollbackOutcome[]): readonly RollbackOutcome[] {
  const raw = env[name];
  if (raw === undefined) {
    return fallback;
  }
  const known = Object.values(RollbackOutcome) as string[];
  const names = raw.split(',').map((part) => part.trim());
  const seen = new Set<string>();
  for (const outcome of names) {
    if (!known.includes(outcome)) {
      throw new Error(`${name} is "${raw}"; ${outcome === '' ? 'it has an empty name' : `"${outcome}" is not an outcome`}. `
        + `List outcome names separated by commas, from: ${known.join(', ')}.`);
    }
    if (seen.has(outcome)) {
      throw new Error(`${name} is "${raw}"; it lists ${outcome} twice. List each outcome once.`);
    }
    seen.add(outcome);
  }
  return names as RollbackOutcome[];
}
