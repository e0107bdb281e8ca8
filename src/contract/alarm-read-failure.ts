/**
 * What the alarm-state check answers AppConfig when it cannot read the
 * alarms (throttled, denied, unavailable, or slower than its read budget).
 * CodeDeploy's `ignorePollAlarmFailure` is the model: stop by default, go on
 * if chosen.
 */
export enum AlarmReadFailure {
  /**
   * Roll the deployment back at a tick, refuse it at its start (with
   * `blockDeploymentsWhileAlarming`), and record why. The check's own faults
   * are not read failures: they let the deployment go on, loudly. Only a
   * crash of the function itself (out of memory) still reaches AppConfig as
   * an error, on which it rolls back.
   */
  ROLL_BACK = 'ROLL_BACK',
  /**
   * Let the deployment go on; the failure is logged and counted
   * (`AlarmStateCheckCount` with `Result=UNREADABLE`). The check answers
   * within 2 seconds whatever its dependencies do, so a slow read does not
   * turn into an error; only a crash of the function itself still makes
   * AppConfig roll back.
   */
  CONTINUE = 'CONTINUE',
}
