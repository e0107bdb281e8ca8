// The names of the metrics the handler emits and the construct graphs and
// alarms on.

/** Metric names and dimension names of the embedded metrics (CloudWatch embedded metric format). */
export const Metrics = {
  DEFAULT_NAMESPACE: 'CdkAlarmRollback',
  /** Count, one per recorded outcome (named apart from the Outcome dimension: EMF keeps both at the top level). */
  OUTCOME: 'OutcomeCount',
  /** Milliseconds from the alarm's state change to the completed stop or cancel call. */
  ALARM_TO_ACTION_LATENCY: 'AlarmToActionLatency',
  /** Milliseconds the handler spent on one event. */
  HANDLER_DURATION: 'HandlerDuration',
  /**
   * Count, one per alarm-state check (deployment tick or start), with the
   * dimension `Result`: a check that finds every alarm quiet writes no
   * ledger record, only this metric.
   */
  ALARM_STATE_CHECK: 'AlarmStateCheckCount',
  /**
   * Count, one per alarm-state check that failed on its own side (result
   * REJECTED or FAULT) and so answered CONTINUE whatever the alarms said;
   * dimension `Rollback` only, so one watcher alarm covers both action points.
   */
  ALARM_STATE_FAULT: 'AlarmStateFaultCount',
  /**
   * Count, one per alarm-state record the ledger had not kept by the check's
   * answer deadline; the record is in full in the check's log line beside it.
   * Dimension `Rollback`.
   */
  RECORD_NOT_KEPT: 'RecordNotKeptCount',
  DIMENSION_TRIGGER: 'Trigger',
  DIMENSION_RESULT: 'Result',
  DIMENSION_ROLLBACK: 'Rollback',
  DIMENSION_TARGET: 'Target',
  DIMENSION_OUTCOME: 'Outcome',
} as const;
