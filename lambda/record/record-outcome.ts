import { DEFAULT_NOTIFY_OUTCOMES, RollbackRecord } from '../../src/private/contract';
import type { Clients } from '../clients';
import type { HandlerConfig } from '../config';
import { emfMetrics } from './emf-metrics';
import { logLine } from './log-line';
import { LedgerWriteError, errorText } from '../errors';
import { LedgerKey, ledgerExpiry } from '../ledger/ledger-keys';
import { writeRecord } from '../ledger/write-record';

/**
 * Writes one record to all four places (the topic only for the outcomes
 * `config.notifyOutcomes` lists). The log line and the metric come
 * first and cannot fail; the ledger write and the notification run side by
 * side. A failed ledger write is thrown (after everything else is done) so
 * Lambda retries the event and finally dead-letters it.
 */
export async function recordOutcome(
  record: RollbackRecord,
  key: LedgerKey,
  config: HandlerConfig,
  clients: Clients,
  now: number,
): Promise<void> {
  logLine(record.outcome === 'FAILED' ? 'ERROR' : record.outcome === 'ALARM_MISSING' ? 'WARN' : 'INFO', 'rollback outcome', record);
  console.log(emfMetrics(record, config.metricNamespace, now));

  const expiresAt = ledgerExpiry(config.retentionDays, now);
  const [ledger, notification] = await Promise.allSettled([
    writeRecord(clients.dynamo(), config.ledgerTable, key, record, expiresAt),
    config.topicArn && notifies(config, record) ? publish(clients, config.topicArn, record) : Promise.resolve(),
  ]);
  if (notification.status === 'rejected') {
    logLine('WARN', 'notification failed', { eventId: record.eventId, outcome: record.outcome, error: errorText(notification.reason) });
  }
  if (ledger.status === 'fulfilled' && !ledger.value) {
    logLine('INFO', 'an earlier final record of this event is kept in the ledger', { eventId: record.eventId, outcome: record.outcome });
  }
  if (ledger.status === 'rejected') {
    logLine('ERROR', 'ledger write failed', { eventId: record.eventId, outcome: record.outcome, error: errorText(ledger.reason) });
    throw new LedgerWriteError(`the ledger did not keep the ${record.outcome} record of event ${record.eventId}: ${errorText(ledger.reason)}`);
  }
}

/** Only the outcomes someone chose (by default those a person acts on) reach the topic. */
function notifies(config: HandlerConfig, record: RollbackRecord): boolean {
  return (config.notifyOutcomes ?? DEFAULT_NOTIFY_OUTCOMES).includes(record.outcome);
}

/** The SNS client and its call are loaded only by functions that notify. */
async function publish(clients: Clients, topicArn: string, record: RollbackRecord): Promise<void> {
  const { notify } = await import('./notify');
  await notify(await clients.sns(), topicArn, record);
}
