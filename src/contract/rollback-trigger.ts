/**
 * What set a decision in motion: the `trigger` of a ledger record and the
 * `Trigger` dimension of the handler's metrics.
 */
export enum RollbackTrigger {
  /** A CloudWatch alarm state-change event, delivered by an EventBridge rule. */
  ALARM_EVENT = 'ALARM_EVENT',
  /**
   * AppConfig's AT_DEPLOYMENT_TICK extension call, made throughout a rollout
   * and its bake, or a CloudFormation stack's bake gate reading the alarms
   * while it holds the update: both are periodic reads during a deployment,
   * so the watcher alarms and the dashboard count them together.
   */
  DEPLOYMENT_TICK = 'DEPLOYMENT_TICK',
  /**
   * A deployment starting: AppConfig's PRE_START_DEPLOYMENT extension call,
   * a CloudFormation stack going UPDATE_IN_PROGRESS (with
   * `blockDeploymentsWhileAlarming`), or a Proton environment deployment
   * going IN_PROGRESS.
   */
  DEPLOYMENT_START = 'DEPLOYMENT_START',
}
