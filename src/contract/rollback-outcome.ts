/**
 * What the rollback handler decided for one alarm event.
 *
 * The same name is written to the ledger, the log line, the `Outcome` metric
 * dimension and the notification, so any of them can be joined on it.
 */
export enum RollbackOutcome {
  /** An in-progress AppConfig deployment was stopped and rolled back. */
  ROLLED_BACK = 'ROLLED_BACK',
  /** A completed AppConfig deployment inside the revert window was reverted. */
  REVERTED = 'REVERTED',
  /** A Proton environment deployment in progress was asked to cancel. */
  CANCEL_REQUESTED = 'CANCEL_REQUESTED',
  /**
   * A CloudFormation stack update was in flight when the alarm changed state but left `UPDATE_IN_PROGRESS` before it could be cancelled, and no call reverts a completed update (CancelUpdateStack, CloudFormation API Reference): nothing was called, a person deploys the previous version, and the outcome is notified by default.
   */
  COMPLETED_BEFORE_STOP = 'COMPLETED_BEFORE_STOP',
  /** The deployment was already stopping, stopped or reverted, by us or by someone else. */
  ALREADY_STOPPED = 'ALREADY_STOPPED',
  /**
   * The deployment started after the alarm changed state, so this event is no
   * evidence against it and it was left running.
   */
  STARTED_AFTER_ALARM = 'STARTED_AFTER_ALARM',
  /** Nothing was in progress (or the last completion is outside the revert window). */
  NO_ACTIVE_DEPLOYMENT = 'NO_ACTIVE_DEPLOYMENT',
  /** The same event (same EventBridge event id) was already handled for this target. */
  DUPLICATE = 'DUPLICATE',
  /** A well-formed event that asks for nothing (another state, source or detail type). */
  IGNORED = 'IGNORED',
  /** A malformed event, or one naming an alarm the target does not watch. */
  REJECTED = 'REJECTED',
  /** An AWS call failed after the SDK's retries, so the event is retried and then dead-lettered. */
  FAILED = 'FAILED',
  /** A deployment was refused at its start because one of the target's alarms was firing. */
  DEPLOYMENT_BLOCKED = 'DEPLOYMENT_BLOCKED',
  /** Dry-run mode: the decision was recorded, and nothing was called. */
  DRY_RUN = 'DRY_RUN',
  /**
   * An alarm the target watches was not found by DescribeAlarms during a deployment (a mistyped imported name, or a deleted alarm), recorded once per deployment, which goes on unguarded by it.
   */
  ALARM_MISSING = 'ALARM_MISSING',
}
