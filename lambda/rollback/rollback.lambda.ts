import { dispatch } from './dispatch';
import { AcceptedInput, AlarmEvent, parseRollbackInput } from './parse-rollback-input';
import type { RollbackRecord } from '../../src/contract';
import { Clients, lazyClients } from '../shared/clients';
import { HandlerConfig, readConfig } from '../shared/config';
import { errorText } from '../shared/errors';
import { accountOf } from '../shared/function-place';
import { requestIdOf } from '../shared/invocation';
import { LedgerKey, eventKey } from '../shared/ledger/ledger-keys';
import { alarmToActionMs, buildRecord } from '../shared/record/build-record';
import { recordOutcome } from '../shared/record/record-outcome';
import type { Decision } from '../targets/target-runner';

export interface HandlerDependencies {
  readonly clients: Clients;
  readonly config: () => HandlerConfig;
  readonly now: () => number;
}

export interface InvocationContext {
  readonly awsRequestId?: string;
  /** The invoked function's ARN, whose account is the function's own. */
  readonly invokedFunctionArn?: string;
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
    const requestId = requestIdOf(context.awsRequestId, startedAt);
    const finish = ({ actedAt, ...decision }: Decision, fields: Partial<RollbackRecord>, calls: string[] = [], alarmAt?: number): RollbackRecord =>
      buildRecord({ ...fields, ...decision, apiCalls: calls, alarmToActionMs: alarmToActionMs(actedAt, alarmAt) }, {
        rollback: config.rollbackName, requestId, startedAt, finishedAt: deps.now(),
      });
    const keep = (record: RollbackRecord, key: LedgerKey) => recordOutcome(record, key, config, deps.clients, deps.now());

    // Parse.
    const parsed = parseRollbackInput(input);
    if (!parsed.ok) {
      const fields = { ...eventFields(parsed.event), target: parsed.target?.name, targetKind: parsed.target?.kind };
      const record = finish({ outcome: parsed.outcome, reason: parsed.reason }, fields);
      await keep(record, eventKey(record.target, parsed.event.time ?? record.recordedAt, record.eventId));
      return record;
    }

    // A deployment starting (a Proton environment, or a stack update with
    // the start gate on) goes through the start check first
    // (targets/deployment-start.ts): only a firing alarm sends it on to
    // dispatch, as an alarm event would.
    let accepted: AcceptedInput;
    let start: { fields: Partial<RollbackRecord>; calls: string[]; explain: (decision: Decision) => Decision } | undefined;
    if ('start' in parsed) {
      const { deploymentStart } = await import('../targets/deployment-start');
      const begun = await deploymentStart(parsed, { clients: deps.clients, config, now: deps.now, startedAt });
      if (begun.kind === 'QUIET') {
        return finish(begun.decision, begun.fields, begun.calls);
      }
      if (begun.kind === 'UNREADABLE') {
        const failed = finish(begun.decision, begun.fields);
        await keep(failed, eventKey(failed.target, parsed.start.time, failed.eventId)).catch(() => undefined);
        throw begun.error;
      }
      accepted = begun.input;
      start = begun;
    } else {
      accepted = parsed;
    }

    // Dispatch.
    const { target, event } = accepted;
    const { key, decision, failure, identifiers, calls, afterwards } = await dispatch({
      input: accepted,
      clients: deps.clients,
      config,
      now: deps.now,
      requestId,
      startedAt,
      remainingMs: context.getRemainingTimeInMillis?.(),
      account: accountOf(context.invokedFunctionArn),
    });

    // Record.
    const record = finish(start ? start.explain(decision) : decision, {
      ...(start ? start.fields : eventFields(event)),
      target: target.name,
      targetKind: target.kind,
      ...identifiers,
      error: failure === undefined ? undefined : errorText(failure),
    }, [...start?.calls ?? [], ...calls], start ? undefined : event.alarmAt);
    const [recorded] = await Promise.allSettled([keep(record, key), afterwards]);
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
