import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The alarms that watch the rollback itself: handler errors, handler throttles, dead-lettered events. */
export function createWatcherAlarms(
  scope: Construct,
  rollbackName: string,
  handler: lambda.IFunction,
  deadLetterQueue: sqs.IQueue,
): cloudwatch.IAlarm[] {
  const watch = (id: string, metric: cloudwatch.IMetric, description: string) => new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  return [
    watch('HandlerErrorsAlarm', handler.metricErrors({ period: Duration.minutes(1) }),
      `The rollback handler of ${rollbackName} failed; the event is retried, then dead-lettered. Check the handler's log group and the ledger's FAILED records.`),
    watch('HandlerThrottlesAlarm', handler.metricThrottles({ period: Duration.minutes(1) }),
      `The rollback handler of ${rollbackName} was throttled; rollbacks are delayed. Check the account's Lambda concurrency.`),
    watch('DeadLetterQueueAlarm', deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    }), `Alarm events of ${rollbackName} were dead-lettered and did not roll anything back. Read the dead-letter queue and act on the deployments by hand.`),
  ];
}

/**
 * The alarms that watch the alarm-state check. An answer of ROLL_BACK or a
 * refused start is a return value, not an error: only a crash or a timeout
 * counts in `Errors`, and AppConfig rolls the deployment back on it.
 */
export function createAlarmStateWatchers(scope: Construct, rollbackName: string, check: lambda.IFunction): cloudwatch.IAlarm[] {
  const watch = (id: string, metric: cloudwatch.IMetric, description: string) => new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  return [
    watch('AlarmStateErrorsAlarm', check.metricErrors({ period: Duration.minutes(1) }),
      `The alarm-state check of ${rollbackName} crashed or timed out; AppConfig rolls back (or refuses the start) on such an error, whatever the read-failure policy. `
      + 'Roll-backs answered with the ROLL_BACK directive are not errors. Check the function\'s log group.'),
    watch('AlarmStateThrottlesAlarm', check.metricThrottles({ period: Duration.minutes(1) }),
      `The alarm-state check of ${rollbackName} was throttled; AppConfig got no answer, which it handles as an error of the action (AWS does not document throttles apart). Check the account's Lambda concurrency.`),
  ];
}
