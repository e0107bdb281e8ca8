import { Metrics, RollbackRecord } from '../../src/private/contract';

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
      }],
    },
    [Metrics.DIMENSION_ROLLBACK]: check.rollback,
    [Metrics.DIMENSION_TARGET]: check.target,
    [Metrics.DIMENSION_TRIGGER]: check.trigger,
    [Metrics.DIMENSION_RESULT]: check.result,
    [Metrics.ALARM_STATE_CHECK]: 1,
    checkDurationMs: check.durationMs,
    invocationId: check.invocationId,
  });
}
