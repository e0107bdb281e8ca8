// The environment variables the construct sets on the two functions, and the
// defaults the handler falls back on when one is absent.
import { RollbackOutcome } from './rollback-outcome';

/** Environment variables the construct sets on the handler function. */
export const HandlerEnv = {
  /** Name of the DynamoDB ledger table. */
  LEDGER_TABLE: 'ROLLBACK_LEDGER_TABLE',
  /** Days a ledger record is kept before DynamoDB TTL removes it. */
  LEDGER_RETENTION_DAYS: 'ROLLBACK_LEDGER_RETENTION_DAYS',
  /** SNS topic for notifications; absent when none was given. */
  NOTIFICATION_TOPIC_ARN: 'ROLLBACK_NOTIFICATION_TOPIC_ARN',
  /** "true" to decide and record without calling any mutating API. */
  DRY_RUN: 'ROLLBACK_DRY_RUN',
  /** CloudWatch namespace of the embedded metrics. */
  METRIC_NAMESPACE: 'ROLLBACK_METRIC_NAMESPACE',
  /** Name of the AlarmRollback instance, a metric dimension. */
  ROLLBACK_NAME: 'ROLLBACK_NAME',
  /**
   * How long an unfinished claim on an event blocks a second delivery of it.
   * Set to the function timeout: a claim older than that belongs to an
   * invocation that died, and a retry may take it over.
   */
  CLAIM_LEASE_SECONDS: 'ROLLBACK_CLAIM_LEASE_SECONDS',
  /**
   * What the alarm-state check does when it cannot read the alarms: a value
   * of `AlarmReadFailure`. Set on the alarm-state function only.
   */
  ALARM_READ_FAILURE: 'ROLLBACK_ALARM_READ_FAILURE',
  /**
   * Milliseconds the alarm-state check may spend reading the alarms before
   * its failure policy decides. Kept well under the function timeout, so the
   * policy, not a timeout, decides what AppConfig hears.
   */
  ALARM_READ_BUDGET_MS: 'ROLLBACK_ALARM_READ_BUDGET_MS',
  /**
   * The outcomes published to the notification topic: `RollbackOutcome`
   * names separated by commas. Set with the topic; absent means the outcomes
   * a person acts on.
   */
  NOTIFY_OUTCOMES: 'ROLLBACK_NOTIFY_OUTCOMES',
} as const;

/**
 * The outcomes published to the notification topic unless `notifyOn` says
 * otherwise: those a person acts on. A stop, revert or cancel to confirm, a
 * failed call to redo by hand, a stack update that completed before it could
 * be cancelled, a refused start that holds a release until
 * someone looks at the alarm, and a dry run's would-be action. The rest
 * record that nothing needed doing.
 */
export const DEFAULT_NOTIFY_OUTCOMES: readonly RollbackOutcome[] = [
  RollbackOutcome.ROLLED_BACK,
  RollbackOutcome.REVERTED,
  RollbackOutcome.CANCEL_REQUESTED,
  RollbackOutcome.COMPLETED_BEFORE_STOP,
  RollbackOutcome.FAILED,
  RollbackOutcome.DEPLOYMENT_BLOCKED,
  RollbackOutcome.DRY_RUN,
  RollbackOutcome.ALARM_MISSING,
];
