// The metrics of one AlarmRollback, built in one place: the construct's
// `metric*()` methods return them, and the watcher alarms and the dashboard
// are drawn from those methods. Metric and dimension names come from the
// contract, the values of typed dimensions from its enums.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { AlarmStateCheckResult, Metrics, RollbackOutcome, RollbackTrigger } from '../contract';
import { validationError } from '../private/validate';

/** What the metrics are read from. */
export interface RollbackMetricSources {
  /** The AlarmRollback: errors name its path, and target names start with it. */
  readonly owner: IConstruct;
  /** The value of the `Rollback` dimension. */
  readonly rollbackName: string;
  readonly handler: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** The alarm-state check's function; undefined when `alarmStateChecks` is false (read when a metric needs it). */
  checkFunction(): lambda.IFunction | undefined;
}

/** Builds the metrics of one AlarmRollback. */
export class RollbackMetricFactory {
  constructor(private readonly sources: RollbackMetricSources) {}

  /** `OutcomeCount` of one outcome, over all targets (dimensions `Rollback`, `Outcome`). */
  public outcome(outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.embedded(Metrics.OUTCOME, { [Metrics.DIMENSION_OUTCOME]: outcome }, cloudwatch.Stats.SUM, props);
  }

  /** `OutcomeCount` of one outcome of one target (dimensions `Rollback`, `Target`, `Outcome`). */
  public targetOutcome(targetName: string, outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.embedded(Metrics.OUTCOME, {
      // The target name the handler records: the target's construct path.
      [Metrics.DIMENSION_TARGET]: targetName,
      [Metrics.DIMENSION_OUTCOME]: outcome,
    }, cloudwatch.Stats.SUM, props);
  }

  /** `AlarmToActionLatency`, p90 by default (dimension `Rollback`). */
  public alarmToActionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.embedded(Metrics.ALARM_TO_ACTION_LATENCY, {}, cloudwatch.Stats.p(90), props);
  }

  /** `AlarmStateCheckCount` of one result and trigger (dimensions `Rollback`, `Trigger`, `Result`). */
  public alarmStateChecks(result: AlarmStateCheckResult, trigger: RollbackTrigger, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.embedded(Metrics.ALARM_STATE_CHECK, {
      [Metrics.DIMENSION_TRIGGER]: trigger,
      [Metrics.DIMENSION_RESULT]: result,
    }, cloudwatch.Stats.SUM, props);
  }

  /** Checks at deployment ticks and starts alike that did not find a watched alarm, for the MISSING watcher. */
  public alarmStateMissing(period: Duration): cloudwatch.IMetric {
    // FILL keeps one trigger's silence from hiding the other's count.
    return new cloudwatch.MathExpression({
      expression: 'FILL(tick, 0) + FILL(start, 0)',
      usingMetrics: {
        tick: this.alarmStateChecks(AlarmStateCheckResult.MISSING, RollbackTrigger.DEPLOYMENT_TICK, { period }),
        start: this.alarmStateChecks(AlarmStateCheckResult.MISSING, RollbackTrigger.DEPLOYMENT_START, { period }),
      },
      period,
      label: 'alarm-state checks that did not find a watched alarm',
    });
  }

  /** `AlarmStateFaultCount` (dimension `Rollback`); fails without the check. */
  public alarmStateFaults(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireCheckFunction('metricAlarmStateFaults');
    return this.embedded(Metrics.ALARM_STATE_FAULT, {}, cloudwatch.Stats.SUM, props);
  }

  public handlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sources.handler.metricErrors(props);
  }

  public handlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sources.handler.metricThrottles(props);
  }

  /** The dead-letter queue's `ApproximateNumberOfMessagesVisible`, Maximum by default. */
  public deadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sources.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public alarmStateErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireCheckFunction('metricAlarmStateErrors').metricErrors(props);
  }

  public alarmStateThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireCheckFunction('metricAlarmStateThrottles').metricThrottles(props);
  }

  /** A metric the handler emits in embedded metric format, always with the `Rollback` dimension first. */
  private embedded(metricName: string, dimensions: Record<string, string>, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName,
      dimensionsMap: { [Metrics.DIMENSION_ROLLBACK]: this.sources.rollbackName, ...dimensions },
      statistic,
      ...props,
    });
  }

  private requireCheckFunction(method: string): lambda.IFunction {
    const checkFunction = this.sources.checkFunction();
    if (!checkFunction) {
      throw validationError(this.sources.owner,
        `${method} was called, but alarmStateChecks is false, so there is no alarm-state check function`,
        `Leave alarmStateChecks on, or do not call ${method}`);
    }
    return checkFunction;
  }
}
