import { Ledger } from '../../../src/contract';

export interface LedgerKey {
  readonly pk: string;
  readonly sk: string;
}

/** The record of one event for one target, sorted by event time. */
export function eventKey(targetName: string, eventTime: string, eventId: string): LedgerKey {
  return { pk: `${Ledger.TARGET_PREFIX}${targetName}`, sk: `${Ledger.EVENT_PREFIX}${eventTime}#${eventId}` };
}

/** A second delivery of an event gets its own record beside the first. */
export function duplicateKey(first: LedgerKey, requestId: string): LedgerKey {
  return { pk: first.pk, sk: `${first.sk}#DUPLICATE#${requestId}` };
}

/** The claim on the one stop or cancel call a deployment gets. */
export function actionKey(...deployment: Array<string | number>): LedgerKey {
  return { pk: `${Ledger.ACTION_PREFIX}${deployment.join('#')}`, sk: 'ACTION' };
}

/** The claim on the one notification of `outcome` an event's record gets, beside the record's partition. */
export function noticeKey(record: LedgerKey, outcome: string): LedgerKey {
  return { pk: `${Ledger.NOTICE_PREFIX}${record.pk}`, sk: `${record.sk}#${outcome}` };
}

export function keyAttributes(key: LedgerKey): Record<string, { S: string }> {
  return { [Ledger.PARTITION_KEY]: { S: key.pk }, [Ledger.SORT_KEY]: { S: key.sk } };
}

/** The TTL (epoch seconds) of a ledger item written at `atMs`, kept `retentionDays` days. */
export function ledgerExpiry(retentionDays: number, atMs: number): number {
  return Math.floor(atMs / 1000) + Math.round(retentionDays * 86_400);
}
