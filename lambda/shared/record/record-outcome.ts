import { DEFAULT_NOTIFY_OUTCOMES, RollbackOutcome, RollbackRecord } from '../../../src/contract';
import type { Clients } from '../clients';
import type { HandlerConfig } from '../config';
import { emfMetrics } from './emf-metrics';
import { logLine } from './log-line';
import { LedgerWriteError, errorText } from '../errors';
import { claimNotification, releaseNotification } from '../ledger/claim-notification';
import { LedgerKey, ledgerExpiry, noticeKey } from '../ledger/ledger-keys';
import { writeRecord } from '../ledger/write-record';

/**
 * Writes one record to all four places (the topic only for the outcomes
 * `config.notifyOutcomes` lists). The log line and the metric come
 * first and cannot fail; the ledger write and the notification run side by
 * side. A failed ledger write is thrown (after everything else is done) so
 * Lambda retries the event and finally dead-letters it. A FAILED outcome is
 * published once per event, not once per attempt (`notifyOnce`).
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
    config.topicArn && notifies(config, record) ? notifyOnce(config.topicArn, key, record, config, clients, now, expiresAt) : Promise.resolve(),
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
export function notifies(config: HandlerConfig, record: RollbackRecord): boolean {
  return (config.notifyOutcomes ?? DEFAULT_NOTIFY_OUTCOMES).includes(record.outcome);
}

/**
 * A FAILED outcome is thrown so that Lambda tries the event again, and each
 * attempt records its own FAILED: the first attempt's notification is the
 * one a person needs, and the ledger's claim on it keeps the later attempts
 * (and later deliveries of the same event) quiet. Every other outcome ends
 * the event and is published as it is recorded.
 */
async function notifyOnce(
  topicArn: string,
  key: LedgerKey,
  record: RollbackRecord,
  config: HandlerConfig,
  clients: Clients,
  now: number,
  expiresAt: number,
): Promise<void> {
  if (record.outcome !== RollbackOutcome.FAILED) {
    return publish(clients, topicArn, record);
  }
  const notice = noticeKey(key, record.outcome);
  const requestId = record.requestId ?? record.eventId;
  const claim = await claimNotification(clients.dynamo(), config.ledgerTable, notice, { requestId, now, expiresAt });
  if (claim.status === 'TAKEN') {
    logLine('INFO', 'an earlier attempt of this event already published its FAILED notification', { eventId: record.eventId, outcome: record.outcome });
    return;
  }
  if (claim.status === 'UNAVAILABLE') {
    logLine('WARN', 'the ledger could not say whether this event\'s FAILED notification went out; publishing it', { eventId: record.eventId, error: claim.error });
    return publish(clients, topicArn, record);
  }
  try {
    await publish(clients, topicArn, record);
  } catch (error) {
    // The next attempt of the event publishes instead.
    await releaseNotification(clients.dynamo(), config.ledgerTable, notice, requestId).catch((release: unknown) =>
      logLine('WARN', 'the claim on a notification that failed could not be given back', { eventId: record.eventId, error: errorText(release) }));
    throw error;
  }
}

/** The SNS client and its call are loaded only by functions that notify. */
export async function publish(clients: Clients, topicArn: string, record: RollbackRecord): Promise<void> {
  const { notify } = await import('./notify');
  await notify(await clients.sns(), topicArn, record);
}
