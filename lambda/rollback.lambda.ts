import { Clients, lazyClients } from './clients';
import { HandlerConfig, readConfig } from './config';
import type { Decision } from './decision';
import { dispatch } from './dispatch';
import { errorText } from './errors';
import { eventKey } from './ledger/ledger-keys';
import { AlarmEvent, parseRollbackInput } from './parse-rollback-input';
import { recordOutcome } from './record/record-outcome';
import { RollbackRecord, Trigger } from '../src/private/contract';

/** The target name of records whose input named no readable target. */
const UNKNOWN_TARGET = '(unknown target)';

export interface HandlerDependencies {
  readonly clients: Clients;
  readonly config: () => HandlerConfig;
  readonly now: () => number;
}

export interface InvocationContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

/**
 * parse -> dispatch -> record. Every input ends as exactly one record; an AWS
 * failure is recorded, then thrown so Lambda retries and finally dead-letters
 * the event.
 */
export function createHandler(deps: HandlerDependencies) {
  return async (input: unknown, context: InvocationContext = {}): Promise<RollbackRecord> => {
    const startedAt = deps.now();
    const config = deps.config();
    const requestId = context.awsRequestId ?? `local-${startedAt}-${Math.random().toString(36).slice(2, 10)}`;
    const finish = ({ actedAt, ...decision }: Decision, fields: Partial<RollbackRecord>, calls: string[] = [], alarmAt?: number): RollbackRecord => {
      const finishedAt = deps.now();
      return {
        ...fields,
        ...decision,
        trigger: Trigger.ALARM_EVENT,
        rollback: config.rollbackName,
        // A refused input may name no target or carry no event id; the record still needs a key.
        target: fields.target ?? UNKNOWN_TARGET,
        eventId: fields.eventId ?? requestId,
        requestId,
        apiCalls: calls,
        durationMs: finishedAt - startedAt,
        // A state change ahead of the handler's clock is clock skew: it counts as no time at all.
        alarmToActionMs: actedAt !== undefined && alarmAt !== undefined ? Math.max(0, actedAt - alarmAt) : undefined,
        recordedAt: new Date(finishedAt).toISOString(),
      };
    };

    // Parse.
    const parsed = parseRollbackInput(input);
    if (!parsed.ok) {
      const fields = { ...eventFields(parsed.event), target: parsed.target?.name, targetKind: parsed.target?.kind };
      const record = finish({ outcome: parsed.outcome, reason: parsed.reason }, fields);
      const key = eventKey(record.target, parsed.event.time ?? record.recordedAt, record.eventId);
      await recordOutcome(record, key, config, deps.clients, deps.now());
      return record;
    }

    // Dispatch.
    const { target, event } = parsed;
    const { key, decision, failure, identifiers, calls, afterwards } = await dispatch({
      input: parsed,
      clients: deps.clients,
      config,
      now: deps.now,
      requestId,
      startedAt,
      remainingMs: context.getRemainingTimeInMillis?.(),
    });

    // Record.
    const record = finish(decision, {
      ...eventFields(event),
      target: target.name,
      targetKind: target.kind,
      ...identifiers,
      error: failure === undefined ? undefined : errorText(failure),
    }, calls, event.alarmAt);
    const [recorded] = await Promise.allSettled([recordOutcome(record, key, config, deps.clients, deps.now()), afterwards]);
    // The AWS failure is the one worth retrying on; the ledger error is logged.
    if (recorded.status === 'rejected' && failure === undefined) {
      throw recorded.reason;
    }
    if (failure !== undefined) {
      throw failure;
    }
    return record;
  };
}

function eventFields(event: Partial<AlarmEvent>): Partial<RollbackRecord> {
  return {
    eventId: event.id,
    eventTime: event.time,
    alarmArn: event.alarmArn,
    alarmName: event.alarmName,
    alarmState: event.state,
    stateReason: event.stateReason,
    stateTimestamp: event.stateTimestamp,
    // alarmTimeSource says when the event time stood in for a missing or unreadable state timestamp.
    alarmTime: event.alarmAt === undefined ? undefined : new Date(event.alarmAt).toISOString(),
    alarmTimeSource: event.alarmAtSource,
  };
}

let config: HandlerConfig | undefined;

export const handler = createHandler({
  clients: lazyClients(),
  config: () => (config ??= readConfig()),
  now: Date.now,
});
