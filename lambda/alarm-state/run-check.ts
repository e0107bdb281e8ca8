import { AFTER_READ_RESERVE_MS, RECORD_RESERVE_MS, beforeDeadline } from './answer-deadline';
import { AlarmStateCheckResult, CheckAction, decideCheck } from './decide-check';
import { firstToRecordMissing } from './missing-alarms';
import type { ExtensionCall } from './parse-extension-payload';
import { RollbackOutcome, RollbackRecord, RollbackTrigger } from '../../src/contract';
import { CallTrace } from '../shared/call-trace';
import type { Clients } from '../shared/clients';
import { readTargetAlarms } from '../shared/cloudwatch/read-target-alarms';
import type { AlarmStateConfig } from '../shared/config';
import type { Place } from '../shared/function-place';
import { ledgerActionClaims } from '../shared/ledger/action-claims';
import { actionKey, ledgerExpiry } from '../shared/ledger/ledger-keys';

/** What AppConfig hears from an AT_DEPLOYMENT_TICK call, in the form aws-samples' tick extensions answer. */
export interface TickAnswer {
  readonly Directive: 'CONTINUE' | 'ROLL_BACK';
  readonly Description: string;
}

/** What one check came to, for the entry to answer and record. */
export interface CheckDone {
  readonly answer: TickAnswer;
  /** A start refused: the entry answers with an error, after the record. */
  readonly blocked: boolean;
  readonly result: AlarmStateCheckResult;
  /** The decision to record in the ledger, when there is one (quiet checks have none). */
  readonly decision?: Pick<RollbackRecord, 'outcome' | 'reason' | 'alarmsFiring' | 'wouldCall'>;
  /** A note for the log when nothing is recorded (paused alarms, an unread alarm, a held claim). */
  readonly note?: string;
  readonly calls: string[];
  /** True when the check's dry run already recorded this deployment: nothing more is recorded or notified. */
  readonly quiet?: boolean;
  /** Work that follows the answer (a claim marked DONE); never rejects. */
  readonly afterwards: Promise<void>;
}

export interface CheckRequest {
  readonly call: ExtensionCall;
  readonly config: AlarmStateConfig;
  readonly clients: Clients;
  readonly now: () => number;
  readonly place: Place;
  readonly startedAt: number;
  /** Epoch ms by which the answer must be given (see `answer-deadline.ts`). */
  readonly deadline: number;
}

/**
 * Reads the target's alarms, decides, and at a tick that must roll back takes
 * the deployment's claim: the same claim (`actionKey('appconfig', app, env,
 * deployment)`) the event path takes before StopDeployment, so a tick and an
 * alarm event that both see the alarm make one rollback and one ROLLED_BACK
 * record between them. See `shared/ledger/action-claims.ts` for the claim's states.
 */
export async function runCheck(request: CheckRequest): Promise<CheckDone> {
  const { call, config, startedAt, deadline, now } = request;
  const trace = new CallTrace();
  const target = call.target;
  // The read may take its budget, but never the time the claim and the record need before the deadline.
  const readBudget = Math.max(0, Math.min(config.alarmReadBudgetMs, deadline - AFTER_READ_RESERVE_MS - now()));
  // A start that may not be refused needs no read.
  const read = call.point === 'START' && !target.blockStart
    ? undefined
    : await readTargetAlarms(await request.clients.cloudWatch(), trace, call.alarmArns, target, request.place, readBudget);
  const action: CheckAction = decideCheck(call.point, read, config.alarmReadFailure, target.blockStart);
  const done: { calls: string[]; afterwards: Promise<void>; result: AlarmStateCheckResult } = {
    calls: trace.list(),
    afterwards: Promise.resolve(),
    result: action.result,
  };

  if (action.kind === 'CONTINUE' && action.result === AlarmStateCheckResult.MISSING) {
    // A watched alarm that does not exist: the deployment goes on, and the
    // gap is recorded once per deployment (see missing-alarms.ts).
    const once = await firstToRecordMissing(request.clients.dynamo(), {
      table: config.ledgerTable,
      applicationId: target.applicationId,
      environmentId: target.environmentId,
      deploymentNumber: call.deploymentNumber,
      invocationId: call.invocationId,
      expiresAt: ledgerExpiry(config.retentionDays, startedAt),
    });
    const missing = action.missing ?? [];
    const reason = `DescribeAlarms did not return ${missing.length === 1 ? 'alarm' : 'alarms'} ${missing.join(', ')} of target ${target.name} `
      + '(a mistyped name, or a deleted alarm): the deployment goes on without being guarded by '
      + `${missing.length === 1 ? 'it' : 'them'}; fix the name or the target's alarms and redeploy the stack`;
    return {
      ...done,
      calls: trace.list(),
      blocked: false,
      answer: { Directive: 'CONTINUE', Description: action.note ?? reason },
      note: action.note,
      decision: once.first ? { outcome: RollbackOutcome.ALARM_MISSING, reason: `${reason}${once.note ?? ''}` } : undefined,
    };
  }
  if (action.kind === 'CONTINUE') {
    return { ...done, blocked: false, answer: { Directive: 'CONTINUE', Description: action.note ?? 'no alarm of the target is in a trigger state' }, note: action.note };
  }
  const alarmsFiring = action.firing.length > 0 ? action.firing : undefined;
  const expiresAt = ledgerExpiry(config.retentionDays, startedAt);
  const claims = ledgerActionClaims(request.clients.dynamo(), {
    table: config.ledgerTable,
    eventId: call.invocationId,
    targetName: target.name,
    now,
    leaseSeconds: config.claimLeaseSeconds,
    expiresAt,
  });
  const deploymentNumber = call.deploymentNumber;
  const claimBy = deadline - RECORD_RESERVE_MS;
  if (config.dryRun) {
    // Dry run decides and records, and changes nothing: no rollback, no
    // refused start. It records (and so notifies) once per deployment: the
    // first check of a deployment that would have acted takes a dry-run
    // marker of its own (never the real claim), and later ticks find it.
    const would = action.kind === 'BLOCK' ? 'refused the start' : 'rolled back';
    const answer: TickAnswer = { Directive: 'CONTINUE', Description: `dry run: would have ${would} because ${action.reason}` };
    if (deploymentNumber !== undefined) {
      const key = actionKey('appconfig-dry-run', target.applicationId, target.environmentId, deploymentNumber);
      const marked = await beforeDeadline(claims.claim(key, RollbackOutcome.DRY_RUN), claimBy, now);
      if (marked.settled && marked.value.status === 'TAKEN') {
        return { ...done, calls: trace.list(), blocked: false, answer, quiet: true, note: `dry run: deployment ${deploymentNumber} was recorded by an earlier check` };
      }
      if (marked.settled && marked.value.status === 'CLAIMED') {
        done.afterwards = claims.markDone(key, RollbackOutcome.DRY_RUN);
      }
    }
    return {
      ...done,
      blocked: false,
      answer,
      decision: {
        outcome: RollbackOutcome.DRY_RUN,
        reason: answer.Description,
        alarmsFiring,
        wouldCall: action.kind === 'BLOCK' ? 'appconfig:PRE_START_DEPLOYMENT answer error' : 'appconfig:AT_DEPLOYMENT_TICK answer ROLL_BACK',
      },
    };
  }
  if (action.kind === 'BLOCK') {
    return {
      ...done,
      blocked: true,
      answer: { Directive: 'ROLL_BACK', Description: action.reason },
      decision: { outcome: RollbackOutcome.DEPLOYMENT_BLOCKED, reason: `the deployment was refused at its start: ${action.reason}`, alarmsFiring },
    };
  }
  if (deploymentNumber === undefined) {
    // The answer does not need the number; only the claim does.
    return {
      ...done,
      blocked: false,
      answer: { Directive: 'ROLL_BACK', Description: action.reason },
      decision: { outcome: RollbackOutcome.ROLLED_BACK, reason: `AppConfig was told to roll the deployment back: ${action.reason} (the payload named no deployment, so none was claimed)`, alarmsFiring },
    };
  }
  // A tick that must roll back: the claim decides who records it. The
  // tick's claim is left ANSWERED, not DONE: AppConfig acts on the answer
  // after this call, and only a read of the deployment (by the event path)
  // shows whether it did. See `shared/ledger/action-claims.ts`.
  const key = actionKey('appconfig', target.applicationId, target.environmentId, deploymentNumber);
  const claimed = await beforeDeadline(claims.claimAnswered(key, RollbackOutcome.ROLLED_BACK), claimBy, now);
  const claim = claimed.settled ? claimed.value : { status: 'UNAVAILABLE' as const, error: 'the ledger did not answer within the answer budget' };
  if (claim.status === 'TAKEN') {
    const view = await beforeDeadline(claims.read(key), claimBy, now);
    const held = view.settled ? view.value : { state: 'UNREADABLE' as const, error: 'the ledger did not answer within the answer budget' };
    const holder = held.state === 'CLAIMED' || held.state === 'DONE' || held.state === 'ANSWERED' ? ` (event ${held.eventId} for ${held.target})` : '';
    if (held.state === 'DONE' || held.state === 'ANSWERED' || held.state === 'UNREADABLE') {
      // The holder has stopped it, or told AppConfig to: the answer agrees,
      // and the holder's record is the one record of it. Unreadable, the
      // alarm that fires decides.
      const why = held.state === 'UNREADABLE' ? `its claim could not be read (${held.error})` : held.state === 'DONE' ? `was already stopped${holder}` : `was already answered ROLL_BACK${holder}`;
      const note = held.state === 'UNREADABLE' ? `deployment ${deploymentNumber}: ${why}` : `deployment ${deploymentNumber} ${why}`;
      return { ...done, calls: trace.list(), result: AlarmStateCheckResult.FIRING, blocked: false, answer: { Directive: 'ROLL_BACK', Description: `${action.reason}; ${note}` }, note };
    }
    // Another event is stopping it (or gave up, and a later tick claims):
    // this tick leaves the record to it.
    return { ...done, calls: trace.list(), result: AlarmStateCheckResult.FIRING, blocked: false, answer: { Directive: 'CONTINUE', Description: `${action.reason}; another event holds deployment ${deploymentNumber}'s claim${holder} and stops it` }, note: `the claim on deployment ${deploymentNumber} is held${holder}; this tick records nothing` };
  }
  const claimNote = claim.status === 'UNAVAILABLE' ? ` (answered without a ledger claim: ${claim.error})` : '';
  return {
    ...done,
    calls: trace.list(),
    blocked: false,
    answer: { Directive: 'ROLL_BACK', Description: action.reason },
    decision: {
      outcome: RollbackOutcome.ROLLED_BACK,
      reason: `AppConfig was told to roll deployment ${deploymentNumber} back (the alarm events confirm it once they see it rolling back): ${action.reason}${claimNote}`,
      alarmsFiring,
    },
  };
}

/** The record's trigger for a check at this action point. */
export function checkTrigger(point: ExtensionCall['point']): typeof RollbackTrigger.DEPLOYMENT_TICK | typeof RollbackTrigger.DEPLOYMENT_START {
  return point === 'TICK' ? RollbackTrigger.DEPLOYMENT_TICK : RollbackTrigger.DEPLOYMENT_START;
}
