// What the alarm-state check reads and what it can find: the handler records
// it, the construct counts and graphs it. Free of aws-cdk-lib: the handler
// bundle inlines it, and src/index.ts publishes the enum.

/**
 * The alarm types the alarm-state check reads, as DescribeAlarms' `AlarmTypes`
 * names them, with the CloudFormation resource type of each. DescribeAlarms
 * returns each type in a member of its own (`MetricAlarms`, `CompositeAlarms`,
 * `LogAlarms`) and only when `AlarmTypes` names it (CloudWatch API Reference,
 * DescribeAlarms; @aws-sdk/client-cloudwatch 3.1164.0's AlarmType enum).
 */
export const CHECKED_ALARM_TYPES = {
  MetricAlarm: 'AWS::CloudWatch::Alarm',
  CompositeAlarm: 'AWS::CloudWatch::CompositeAlarm',
  LogAlarm: 'AWS::CloudWatch::LogAlarm',
} as const;

/**
 * What one alarm-state check found: the `Result` dimension of its
 * `AlarmStateCheckCount` metric, and the argument of
 * `AlarmRollback.metricAlarmStateChecks`.
 */
export enum AlarmStateCheckResult {
  /** No alarm fires (paused ones included): the deployment goes on. */
  OK = 'OK',
  /** An alarm fires: the deployment is rolled back or refused. */
  FIRING = 'FIRING',
  /** The alarms could not be read; the read-failure policy decided. */
  UNREADABLE = 'UNREADABLE',
  /** A start with blockStart off: nothing was read. */
  NOT_CHECKED = 'NOT_CHECKED',
  /**
   * The payload or the association's parameters could not be read, or named
   * another environment than the request: a defect of the construct's
   * deployment. Answered CONTINUE (a start allowed), loudly.
   */
  REJECTED = 'REJECTED',
  /** The check itself failed (an unexpected exception, or no decision by its answer deadline). Answered CONTINUE, loudly. */
  FAULT = 'FAULT',
  /**
   * No alarm fires, but DescribeAlarms did not return one or more of the
   * target's alarms (a mistyped imported name, or a deleted alarm): the
   * deployment goes on, unguarded by them. Never OK, never a rollback.
   */
  MISSING = 'MISSING',
}

/** Results that are the check's own fault or its configuration's: never a rollback, always counted by ALARM_STATE_FAULT. */
export const CHECK_FAULT_RESULTS: readonly AlarmStateCheckResult[] = [AlarmStateCheckResult.REJECTED, AlarmStateCheckResult.FAULT];

