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
