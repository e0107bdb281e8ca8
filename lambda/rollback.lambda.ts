import { Clients, lazyClients } from './clients';
import { HandlerConfig, readConfig } from './config';
import type { Decision } from './decision';
import { dispatch } from './dispatch';
import { errorText } from './errors';
import { accountOf } from './function-place';
import { UNKNOWN_TARGET, requestIdOf } from './invocation';
import { eventKey } from './ledger/ledger-keys';
import { AcceptedInput, AlarmEvent, parseRollbackInput } from './parse-rollback-input';
import { alarmStateCheckMetric } from './record/emf-metrics';
import { recordOutcome } from './record/record-outcome';
import { RollbackOutcome, RollbackRecord, RollbackTrigger } from '../src/contract';

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
    const finish = ({ actedAt, ...decision }: Decision, fields: Partial<RollbackRecord>, calls: string[] = [], alarmAt?: number): RollbackRecord => {
      const finishedAt = deps.now();
      return {
        ...fields,
        ...decision,
        trigger: fields.trigger ?? RollbackTrigger.ALARM_EVENT,
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

    // A Proton deployment starting: its alarms are read first, and only a
    // firing one sends it on to the alarm path's cancel.
    let accepted: AcceptedInput;
    let start: { fields: Partial<RollbackRecord>; calls: string[] } | undefined;
    if ('start' in parsed) {
      const { start: status, target: protonTarget } = parsed;
      const fields = {
        eventId: status.id,
        eventTime: status.time,
        target: protonTarget.name,
        targetKind: protonTarget.kind,
        trigger: RollbackTrigger.DEPLOYMENT_START,
      };
      const { checkProtonStart } = await import('./proton/proton-start');
      const check = await checkProtonStart(parsed, deps.clients, deps.now).catch(async (error: unknown) => {
        const reason = 'the alarms could not be read; Lambda retries the event';
        const failed = finish({ outcome: RollbackOutcome.FAILED, reason }, { ...fields, error: errorText(error) });
        const failedKey = eventKey(failed.target, status.time, failed.eventId);
        await recordOutcome(failed, failedKey, config, deps.clients, deps.now()).catch(() => undefined);
        throw error;
      });
      if (check.kind === 'QUIET') {
        // Nothing to record: the check metric is its only trace, as at an AppConfig start.
        console.log(alarmStateCheckMetric({
          rollback: config.rollbackName, target: parsed.target.name, trigger: RollbackTrigger.DEPLOYMENT_START, result: 'OK', durationMs: deps.now() - startedAt,
        }, config.metricNamespace, deps.now()));
        return finish({ outcome: RollbackOutcome.IGNORED, reason: check.note ?? 'no alarm of the target is in a trigger state at the start' }, fields, check.calls);
      }
      accepted = check.input;
      start = { fields: { ...fields, alarmsFiring: check.alarmsFiring }, calls: check.calls };
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
    const why = start ? { ...decision, reason: `${start.fields.alarmsFiring?.join(', ')} fired as the deployment started: ${decision.reason}` } : decision;
    const record = finish(why, {
      ...(start ? start.fields : eventFields(event)),
      target: target.name,
      targetKind: target.kind,
      ...identifiers,
      error: failure === undefined ? undefined : errorText(failure),
    }, [...start?.calls ?? [], ...calls], start ? undefined : event.alarmAt);
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
