import { CallTrace } from './call-trace';
import { Clients, lazyClients } from './clients';
import { HandlerConfig, readConfig } from './config';
import type { Decision } from './decision';
import { ledgerActionClaims } from './ledger/action-claims';
import { claimEvent, errorText } from './ledger/claim-event';
import { duplicateKey, eventKey } from './ledger/ledger-keys';
import { AlarmEvent, parseRollbackInput } from './parse-rollback-input';
import { recordOutcome } from './record/record-outcome';
import { targetRunner } from './target-runner';
import { RollbackOutcome, RollbackRecord } from '../src/private/contract';

/** The target name of records whose input named no readable target. */
const UNKNOWN_TARGET = '(unknown target)';

export interface HandlerDependencies {
  readonly clients: Clients;
  readonly config: () => HandlerConfig;
  readonly now: () => number;
}

export interface InvocationContext {
  readonly awsRequestId?: string;
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
    const finish = ({ actedAt, ...decision }: Decision, fields: Partial<RollbackRecord>, calls: string[] = []): RollbackRecord => {
      const finishedAt = deps.now();
      return {
        ...fields,
        ...decision,
        rollback: config.rollbackName,
        // A refused input may name no target or carry no event id; the record still needs a key.
        target: fields.target ?? UNKNOWN_TARGET,
        eventId: fields.eventId ?? requestId,
        requestId,
        apiCalls: calls,
        durationMs: finishedAt - startedAt,
        alarmToActionMs: actedAt !== undefined ? alarmToAction(actedAt, fields) : undefined,
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
    const trace = new CallTrace();
    const dynamo = deps.clients.dynamo();
    const expiresAt = Math.floor(startedAt / 1000) + Math.round(config.retentionDays * 86_400);
    const runner = await targetRunner(target, {
      clients: deps.clients,
      trace,
      dryRun: config.dryRun,
      now: deps.now,
      claims: ledgerActionClaims(dynamo, {
        table: config.ledgerTable,
        eventId: event.id,
        targetName: target.name,
        now: deps.now,
        leaseSeconds: config.claimLeaseSeconds,
        expiresAt,
      }),
    });
    let key = eventKey(target.name, event.time, event.id);
    let decision: Decision;
    let failure: unknown;
    // The read starts first, so it reaches the wire first; the duplicate check
    // runs beside it, and every call after the read waits for its answer. A
    // duplicate is recorded as such, whatever the read or the runner found.
    const inspecting = runner.inspect();
    const claimRequest = { table: config.ledgerTable, key, requestId, now: startedAt, leaseSeconds: config.claimLeaseSeconds, expiresAt };
    const claiming = nextTurn().then(() => claimEvent(dynamo, claimRequest));
    const mayAct = () => claiming.then((claim) => claim.status !== 'DUPLICATE');
    const acting = inspecting.then((inspection) => runner.act(inspection, mayAct));
    const [claim, action] = await Promise.allSettled([claiming, acting]);
    try {
      if (claim.status === 'fulfilled' && claim.value.status === 'DUPLICATE') {
        key = duplicateKey(key, requestId);
        decision = { outcome: RollbackOutcome.DUPLICATE, reason: `event ${event.id} was already handled for target ${target.name}` };
      } else if (action.status === 'rejected') {
        throw action.reason;
      } else if (action.value === undefined) {
        // Only a duplicate makes a runner hold back, and it was handled above.
        throw new Error('the runner held back although the event was not a duplicate');
      } else {
        decision = action.value;
      }
    } catch (error) {
      failure = error;
      decision = {
        outcome: RollbackOutcome.FAILED,
        reason: 'an AWS call failed after the SDK retries; Lambda retries the event, then sends it to the dead-letter queue',
      };
    }

    // Record.
    const record = finish(decision, {
      ...eventFields(event),
      target: target.name,
      targetKind: target.kind,
      ...runner.identifiers,
      error: failure === undefined ? undefined : errorText(failure),
    }, trace.list());
    try {
      await recordOutcome(record, key, config, deps.clients, deps.now());
    } catch (ledgerError) {
      // The AWS failure is the one worth retrying on; the ledger error is logged.
      if (failure === undefined) {
        throw ledgerError;
      }
    }
    if (failure !== undefined) {
      throw failure;
    }
    return record;
  };
}

/**
 * Resolves on the event loop's next turn, once the work queued now is done:
 * the read's request is on the wire before the duplicate check starts
 * building its own.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  };
}

function alarmToAction(actedAt: number, fields: Partial<RollbackRecord>): number | undefined {
  const changedAt = Date.parse(fields.stateTimestamp ?? '');
  return Number.isNaN(changedAt) ? undefined : actedAt - changedAt;
}

let config: HandlerConfig | undefined;

export const handler = createHandler({
  clients: lazyClients(),
  config: () => (config ??= readConfig()),
  now: Date.now,
});
