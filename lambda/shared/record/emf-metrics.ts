import { CHECK_FAULT_RESULTS, AlarmStateCheckResult, Metrics, RollbackRecord } from '../../../src/contract';

/**
 * The record's metrics in CloudWatch embedded metric format: one log line
 * that CloudWatch turns into metrics, with no API call on the way.
 */
export function emfMetrics(record: RollbackRecord, namespace: string, timestamp: number): string {
  const hasLatency = record.alarmToActionMs !== undefined;
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [
            [Metrics.DIMENSION_ROLLBACK, Metrics.DIMENSION_OUTCOME],
            [Metrics.DIMENSION_ROLLBACK, Metrics.DIMENSION_TARGET, Metrics.DIMENSION_OUTCOME],
          ],
          Metrics: [{ Name: Metrics.OUTCOME, Unit: 'Count' }],
        },
        {
          Namespace: namespace,
          Dimensions: [[Metrics.DIMENSION_ROLLBACK], [Metrics.DIMENSION_ROLLBACK, Metrics.DIMENSION_TARGET]],
          Metrics: [
            { Name: Metrics.HANDLER_DURATION, Unit: 'Milliseconds' },
            ...(hasLatency ? [{ Name: Metrics.ALARM_TO_ACTION_LATENCY, Unit: 'Milliseconds' }] : []),
          ],
        },
      ],
    },
    [Metrics.DIMENSION_ROLLBACK]: record.rollback,
    [Metrics.DIMENSION_TARGET]: record.target,
    [Metrics.DIMENSION_OUTCOME]: record.outcome,
    [Metrics.OUTCOME]: 1,
    [Metrics.HANDLER_DURATION]: record.durationMs,
    ...(hasLatency ? { [Metrics.ALARM_TO_ACTION_LATENCY]: record.alarmToActionMs } : {}),
    eventId: record.eventId,
  });
}

/** One alarm-state check, for the ALARM_STATE_CHECK metric. */
export interface AlarmStateCheck {
  readonly rollback: string;
  readonly target: string;
  readonly trigger: string;
  readonly result: string;
  readonly durationMs: number;
  readonly invocationId?: string;
}

/**
 * The ALARM_STATE_CHECK count of one check, by Trigger and Result: a check
 * that finds every alarm quiet writes no ledger record, so this metric is its
 * only trace. The Trigger dimension is on this metric only; the outcome
 * metrics keep their dimensions.
 */
export function alarmStateCheckMetric(check: AlarmStateCheck, namespace: string, timestamp: number): string {
  // A fault also counts once under the Rollback dimension alone, so one
  // watcher alarm sees it whichever action point and target it came from.
  const fault = CHECK_FAULT_RESULTS.includes(check.result as AlarmStateCheckResult);
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [
          [Metrics.DIMENSION_ROLLBACK, Metrics.DIMENSION_TRIGGER, Metrics.DIMENSION_RESULT],
          [Metrics.DIMENSION_ROLLBACK, Metrics.DIMENSION_TARGET, Metrics.DIMENSION_TRIGGER, Metrics.DIMENSION_RESULT],
        ],
        Metrics: [{ Name: Metrics.ALARM_STATE_CHECK, Unit: 'Count' }],
      }, ...fault ? [{
        Namespace: namespace,
        Dimensions: [[Metrics.DIMENSION_ROLLBACK]],
        Metrics: [{ Name: Metrics.ALARM_STATE_FAULT, Unit: 'Count' }],
      }] : []],
    },
    [Metrics.DIMENSION_ROLLBACK]: check.rollback,
    [Metrics.DIMENSION_TARGET]: check.target,
    [Metrics.DIMENSION_TRIGGER]: check.trigger,
    [Metrics.DIMENSION_RESULT]: check.result,
    [Metrics.ALARM_STATE_CHECK]: 1,
    ...fault ? { [Metrics.ALARM_STATE_FAULT]: 1 } : {},
    checkDurationMs: check.durationMs,
    invocationId: check.invocationId,
  });
}

/** RECORD_NOT_KEPT for one record the ledger had not confirmed by the answer deadline. */
export function recordNotKeptMetric(rollback: string, eventId: string, namespace: string, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[Metrics.DIMENSION_ROLLBACK]], Metrics: [{ Name: Metrics.RECORD_NOT_KEPT, Unit: 'Count' }] }],
    },
    [Metrics.DIMENSION_ROLLBACK]: rollback,
    [Metrics.RECORD_NOT_KEPT]: 1,
    eventId,
  });
}
