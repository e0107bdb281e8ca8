import { RollbackRecord, RollbackTrigger } from '../../../src/contract';
import { UNKNOWN_TARGET } from '../invocation';

/** What an entry knows of a record; the builder fills in the invocation's own fields. */
export type RecordFields = Omit<RollbackRecord, 'rollback' | 'target' | 'eventId' | 'apiCalls' | 'durationMs' | 'recordedAt' | 'requestId'>
  & { readonly target?: string; readonly eventId?: string; readonly apiCalls?: string[] };

/** The invocation a record is made in. */
export interface RecordScope {
  /** The rollback's name, from the handler environment. */
  readonly rollback: string;
  readonly requestId: string;
  /** Epoch milliseconds when the invocation began. */
  readonly startedAt: number;
  /** Epoch milliseconds now, when the record is made. */
  readonly finishedAt: number;
}

/**
 * The one builder of ledger records, for both entries: the rollback handler
 * and the alarm-state check. A refused input may name no target or carry no
 * event id; the record still needs a key, so the target reads
 * `UNKNOWN_TARGET` and the event id the request id. A record without a
 * trigger is an alarm event's.
 */
export function buildRecord(fields: RecordFields, scope: RecordScope): RollbackRecord {
  return {
    ...fields,
    trigger: fields.trigger ?? RollbackTrigger.ALARM_EVENT,
    rollback: scope.rollback,
    target: fields.target ?? UNKNOWN_TARGET,
    eventId: fields.eventId ?? scope.requestId,
    requestId: scope.requestId,
    apiCalls: fields.apiCalls ?? [],
    durationMs: scope.finishedAt - scope.startedAt,
    recordedAt: new Date(scope.finishedAt).toISOString(),
  };
}

/**
 * Milliseconds from the alarm's state change to the stop or cancel call. A
 * state change ahead of the handler's clock is clock skew: it counts as no
 * time at all.
 */
export function alarmToActionMs(actedAt: number | undefined, alarmAt: number | undefined): number | undefined {
  return actedAt !== undefined && alarmAt !== undefined ? Math.max(0, actedAt - alarmAt) : undefined;
}
