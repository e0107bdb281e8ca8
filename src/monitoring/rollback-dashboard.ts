import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmStateCheckResult, RollbackTrigger, RollbackOutcome, TargetKind, TargetKindName } from '../contract';

/** Options of `AlarmRollback.addDashboard`. */
export interface RollbackDashboardOptions {
  /**
   * The name of the dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The period of every graph on the dashboard.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/** The results an alarm-state check records in its `Result` dimension, as the contract names them. */
export const ALARM_STATE_CHECK_RESULTS: AlarmStateCheckResult[] = Object.values(AlarmStateCheckResult);

/** The metric methods of an AlarmRollback that a dashboard draws on. */
export interface DashboardMetrics {
  metricTargetOutcome(targetId: string, outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricOutcome(outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricAlarmToActionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricAlarmStateErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricAlarmStateThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricAlarmStateChecks(result: AlarmStateCheckResult, trigger: RollbackTrigger, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

const WIDE = 24;
const HALF = 12;
const HEIGHT = 6;

/**
 * A rollback's dashboard. The rollback's own widgets come first; a graph of
 * outcomes per target follows for every target, also for targets added after
 * the dashboard (`addTarget` calls `addTarget` here).
 */
export class RollbackDashboardBuilder {
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly period: Duration;
  private hasStackUpdates = false;

  constructor(scope: Construct, id: string, private readonly metrics: DashboardMetrics, rollbackName: string,
    hasAlarmStateChecks: boolean, options: RollbackDashboardOptions) {
    this.period = options.period ?? Duration.minutes(5);
    const period = this.period;
    this.dashboard = new cloudwatch.Dashboard(scope, id, {
      dashboardName: options.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `# Alarm rollback ${rollbackName}\nDecisions per target, how fast alarms become actions, and whether the rollback itself is healthy.`,
      width: WIDE,
      height: 2,
    }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Alarm to action latency (ms)',
        width: HALF,
        height: HEIGHT,
        left: [
          metrics.metricAlarmToActionLatency({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
          metrics.metricAlarmToActionLatency({ period, statistic: cloudwatch.Stats.p(90), label: 'p90' }),
          metrics.metricAlarmToActionLatency({ period, statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Failures and dead-lettered events',
        width: HALF,
        height: HEIGHT,
        left: [
          metrics.metricFailures({ period, label: 'FAILED decisions' }),
          metrics.metricDeadLettered({ period, label: 'dead-lettered events (visible)' }),
        ],
      }),
    );
    const health = [
      metrics.metricHandlerErrors({ period, label: 'handler errors' }),
      metrics.metricHandlerThrottles({ period, label: 'handler throttles' }),
    ];
    if (hasAlarmStateChecks) {
      health.push(
        metrics.metricAlarmStateErrors({ period, label: 'alarm-state check errors' }),
        metrics.metricAlarmStateThrottles({ period, label: 'alarm-state check throttles' }),
      );
    }
    const healthWidget = new cloudwatch.GraphWidget({ title: 'Errors and throttles', width: HALF, height: HEIGHT, left: health });
    if (hasAlarmStateChecks) {
      const checks: cloudwatch.IMetric[] = [];
      for (const trigger of [RollbackTrigger.DEPLOYMENT_START, RollbackTrigger.DEPLOYMENT_TICK]) {
        for (const result of ALARM_STATE_CHECK_RESULTS) {
          checks.push(metrics.metricAlarmStateChecks(result, trigger, { period, label: `${trigger} ${result}` }));
        }
      }
      this.dashboard.addWidgets(healthWidget,
        new cloudwatch.GraphWidget({ title: 'Alarm-state checks by result', width: HALF, height: HEIGHT, stacked: true, left: checks }));
    } else {
      this.dashboard.addWidgets(healthWidget);
    }
  }

  /**
   * Adds a graph of one target's outcomes, stacked, one line per outcome.
   * The first stack target also adds, before its graph, the count of stack
   * updates that completed before an alarm's stop could reach them
   * (`COMPLETED_BEFORE_STOP`): nothing can revert them any more, so each
   * one asks a person to deploy the previous version.
   */
  public addTarget(targetId: string, kind: TargetKindName): void {
    const period = this.period;
    if (kind === TargetKind.CLOUDFORMATION_STACK && !this.hasStackUpdates) {
      this.hasStackUpdates = true;
      this.dashboard.addWidgets(new cloudwatch.GraphWidget({
        title: 'Stack updates completed before the stop: deploy the previous version',
        width: WIDE,
        height: HEIGHT,
        left: [this.metrics.metricOutcome(RollbackOutcome.COMPLETED_BEFORE_STOP, { period, label: RollbackOutcome.COMPLETED_BEFORE_STOP })],
      }));
    }
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: `Outcomes of ${targetId}`,
      width: WIDE,
      height: HEIGHT,
      stacked: true,
      left: Object.values(RollbackOutcome).map((outcome) => this.metrics.metricTargetOutcome(targetId, outcome, { period, label: outcome })),
    }));
  }
}
