import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** The handler's metrics its watchers alarm on, from the AlarmRollback's own `metric*` methods. */
export interface HandlerWatchMetrics {
  readonly errors: cloudwatch.IMetric;
  readonly throttles: cloudwatch.IMetric;
  readonly deadLettered: cloudwatch.IMetric;
}

/** The alarm-state check's metrics its watchers alarm on. */
export interface CheckWatchMetrics {
  readonly errors: cloudwatch.IMetric;
  readonly throttles: cloudwatch.IMetric;
  readonly faults: cloudwatch.IMetric;
  /** Checks whose result was MISSING: a watched alarm DescribeAlarms did not return. */
  readonly missingAlarms: cloudwatch.IMetric;
}

/** An alarm that fires on the first datapoint above zero, and stays quiet without data. */
export function watch(scope: Construct, id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
}

/** The alarms that watch the rollback itself: handler errors, handler throttles, dead-lettered events. */
export function createWatcherAlarms(scope: Construct, rollbackName: string, metrics: HandlerWatchMetrics): cloudwatch.Alarm[] {
  return [
    watch(scope, 'HandlerErrorsAlarm', metrics.errors,
      `The rollback handler of ${rollbackName} failed; the event is retried, then dead-lettered. Check the handler's log group and the ledger's FAILED records.`),
    watch(scope, 'HandlerThrottlesAlarm', metrics.throttles,
      `The rollback handler of ${rollbackName} was throttled; rollbacks are delayed. Check the account's Lambda concurrency.`),
    watch(scope, 'DeadLetterQueueAlarm', metrics.deadLettered,
      `Alarm events of ${rollbackName} were dead-lettered and did not roll anything back. Read the dead-letter queue and act on the deployments by hand.`),
  ];
}

/**
 * The alarms that watch the alarm-state check. An answer of ROLL_BACK or a
 * refused start is a return value, not an error. The check's own faults (a
 * payload or association it cannot read, an exception, no decision in time)
 * are answered CONTINUE, so they are no Lambda error either: they count in
 * AlarmStateFaultCount, and a watcher pages on it, since while they last the
 * check guards nothing and only alarm events roll deployments back.
 */
export function createAlarmStateWatchers(scope: Construct, rollbackName: string, metrics: CheckWatchMetrics): cloudwatch.Alarm[] {
  return [
    watch(scope, 'AlarmStateErrorsAlarm', metrics.errors,
      `The alarm-state check of ${rollbackName} crashed (out of memory, or a timeout past its own answer deadline); AppConfig rolls back (or refuses the start) on such an error. `
      + 'Roll-backs answered with the ROLL_BACK directive are not errors. Check the function\'s log group.'),
    watch(scope, 'AlarmStateMissingAlarmsAlarm', metrics.missingAlarms,
      `The alarm-state check of ${rollbackName} did not find an alarm a target watches (a mistyped imported name, or a deleted alarm); `
      + 'deployments go on without being guarded by it. The ledger\'s ALARM_MISSING records and the check\'s WARN log lines name the alarm and the target.'),
    watch(scope, 'AlarmStateThrottlesAlarm', metrics.throttles,
      `The alarm-state check of ${rollbackName} was throttled; AppConfig got no answer, which it handles as an error of the action (AWS does not document throttles apart). Check the account's Lambda concurrency, or set alarmStateReservedConcurrency.`),
    watch(scope, 'AlarmStateFaultsAlarm', metrics.faults,
      `The alarm-state check of ${rollbackName} failed on its own side (an unreadable payload or association, an exception, or no decision in time) and let deployments go on unchecked; `
      + 'alarm events still roll them back. Read the check\'s ERROR lines and the ledger\'s REJECTED records, then redeploy the stack or fix the association.'),
  ];
}
