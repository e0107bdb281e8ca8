import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { RollbackOutcome } from './contract';
import { RollbackMetricFactory } from './monitoring/rollback-metrics';

/**
 * One target of an `AlarmRollback`, as `AlarmRollback.addTarget` made it:
 * its EventBridge rules, its name in the ledger and the metrics, and its
 * outcome metric. Its constructs (the rules, an AppConfig extension
 * association) are its children.
 *
 * Made by `addTarget` only; a target constructed any other way has no rules
 * and its `metricOutcome` fails.
 */
export class AlarmRollbackTarget extends Construct {
  /**
   * The name of the target in ledger records, log lines, notifications and
   * the `Target` metric dimension: its construct path,
   * `<construct path of the AlarmRollback>/<id>`.
   */
  public readonly targetName: string;

  private readonly ruleList: events.IRule[] = [];
  private metrics?: RollbackMetricFactory;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.targetName = this.node.path;
  }

  /**
   * The target's rules: one on its alarms (several when they outgrow one
   * rule's event pattern), one on its alarm tags, and a Proton target's
   * rules on its deployments starting. The rules that forward the
   * AlarmRollback's own alarms to a custom bus are not among them.
   */
  public get rules(): events.IRule[] {
    return [...this.ruleList];
  }

  /**
   * The number of decisions for this target with one outcome (dimensions
   * `Rollback`, `Target` and `Outcome`): the same metric as
   * `AlarmRollback.metricTargetOutcome` with this target's id.
   *
   * @param outcome the outcome to count
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricOutcome(outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.metrics) {
      throw new Error(`[${this.node.path}] this AlarmRollbackTarget was not made by AlarmRollback.addTarget, so it has no metrics. Use the target addTarget returns`);
    }
    return this.metrics.targetOutcome(this.targetName, outcome, props);
  }

  /**
   * Records what `addTarget` made for the target.
   *
   * @internal
   */
  public _attach(rules: events.IRule[], metrics: RollbackMetricFactory): void {
    this.ruleList.push(...rules);
    this.metrics = metrics;
  }
}
