/**
 * Which alarm states roll a target back: the rules, the deployment tick check
 * and the deployment start check all apply the same choice.
 */
export enum TriggerOn {
  /** An alarm in `ALARM`. */
  ALARM = 'ALARM',
  /**
   * An alarm in `ALARM` or `INSUFFICIENT_DATA`, as AppConfig's own alarm
   * monitors act ("Monitoring deployments for automatic rollback", AWS
   * AppConfig User Guide): an alarm that stopped getting data counts as one
   * that fires.
   */
  ALARM_OR_INSUFFICIENT_DATA = 'ALARM_OR_INSUFFICIENT_DATA',
}
