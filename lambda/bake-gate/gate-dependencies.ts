import type { BakeGateDependencies, BakeReport } from './bake-gate';
import { AlarmStateCheckResult, RollbackOutcome, RollbackTrigger, TargetKind } from '../../src/contract';
import { CallTrace } from '../shared/call-trace';
import type { Clients } from '../shared/clients';
import { readAlarmTimeline } from '../shared/cloudwatch/read-alarm-timeline';
import type { HandlerConfig } from '../shared/config';
import { Place } from '../shared/function-place';
import { UNKNOWN_TARGET } from '../shared/invocation';
import { ledgerActionClaims } from '../shared/ledger/action-claims';
import { eventKey, ledgerExpiry } from '../shared/ledger/ledger-keys';
import { buildRecord } from '../shared/record/build-record';
import { alarmStateCheckMetric } from '../shared/record/emf-metrics';
import { logLine } from '../shared/record/log-line';
import { recordOutcome } from '../shared/record/record-outcome';
import { stackUpdateActionKey } from '../targets/cloudformation-stack/cloudformation-stack-runner';
import { findUpdateInFlight } from '../targets/cloudformation-stack/find-update-in-flight';

/**
 * How long one poll's alarm read may take. Nothing waits on the poll but
 * the Provider framework's next one (every 30 s), so the read has more room
 * than the AppConfig check's, whose answer AppConfig waits for.
 */
export const BAKE_ALARM_READ_BUDGET_MS = 10_000;

/** One invocation of the gate: who it is, where it runs, and its clients. */
export interface GateInvocation {
  readonly clients: Clients;
  readonly config: HandlerConfig;
  readonly now: () => number;
  readonly place: Place;
  readonly requestId: string;
  readonly startedAt: number;
}

/** The results that are the gate's own defect or its input's: recorded REJECTED and counted as faults. */
const FAULT_RESULTS: readonly BakeReport['result'][] = [AlarmStateCheckResult.FAULT, AlarmStateCheckResult.REJECTED];

/**
 * The gate's dependencies on the world for one invocation:
 * - the stack: `findUpdateInFlight`, resolved to its root, its events back to now;
 * - the alarms: DescribeAlarms with their transition and configuration times, and the mute rules;
 * - the claim: the stack target's action claim (`stackUpdateActionKey`), the
 *   same one the alarm-event path takes before CancelUpdateStack, so one
 *   update gets one action and one record. The gate's "call" is failing its
 *   resource, which CloudFormation acts on at once, so the claim is marked
 *   DONE right away: an event that loses it reads the stack and records
 *   ALREADY_STOPPED;
 * - the report: a log line and the ALARM_STATE_CHECK metric every time; a
 *   ledger record (and a notification, for the outcomes that take one) for a
 *   decision, and a REJECTED record for the gate's own faults.
 *
 * In dry run the claim is never taken: the gate records DRY_RUN and the
 * entry lets the update complete.
 */
export function bakeGateDependencies(invocation: GateInvocation): BakeGateDependencies {
  const { clients, config, now, place, requestId } = invocation;
  const trace = new CallTrace();
  return {
    now,

    async readStack(stackId, at) {
      return findUpdateInFlight(await clients.cloudFormation(), trace, stackId, at, at);
    },

    async readAlarms(alarmArns, rules) {
      return readAlarmTimeline(await clients.cloudWatch(), trace, alarmArns, rules, place, BAKE_ALARM_READ_BUDGET_MS);
    },

    async claimUpdate(claimKey, _reason, target = UNKNOWN_TARGET) {
      if (config.dryRun) {
        return true;
      }
      const key = stackUpdateActionKey(claimKey);
      const claims = ledgerActionClaims(clients.dynamo(), {
        table: config.ledgerTable,
        eventId: requestId,
        targetName: target,
        now,
        leaseSeconds: config.claimLeaseSeconds,
        expiresAt: ledgerExpiry(config.retentionDays, now()),
      });
      const claim = await claims.claim(key, RollbackOutcome.CANCEL_REQUESTED);
      if (claim.status === 'UNAVAILABLE') {
        throw new Error(`the ledger did not answer the claim on ${key.pk}: ${claim.error}`);
      }
      if (claim.status !== 'CLAIMED') {
        return false;
      }
      await claims.markDone(key, RollbackOutcome.CANCEL_REQUESTED);
      return true;
    },

    async report(what) {
      const target = what.target ?? UNKNOWN_TARGET;
      const trigger = what.phase === 'START' ? RollbackTrigger.DEPLOYMENT_START : RollbackTrigger.DEPLOYMENT_TICK;
      const fault = FAULT_RESULTS.includes(what.result);
      console.log(alarmStateCheckMetric({
        rollback: config.rollbackName,
        target,
        trigger,
        result: what.result,
        invocationId: requestId,
        durationMs: now() - invocation.startedAt,
      }, config.metricNamespace, now()));
      const outcome = what.outcome !== undefined && config.dryRun && what.outcome === RollbackOutcome.CANCEL_REQUESTED
        ? RollbackOutcome.DRY_RUN
        : what.outcome ?? (fault ? RollbackOutcome.REJECTED : undefined);
      if (fault) {
        logLine('ERROR', 'bake gate fault: the update goes on (the gate\'s own faults never fail it)', { rollback: config.rollbackName, ...what });
      }
      if (outcome === undefined) {
        logLine('INFO', 'bake gate', { rollback: config.rollbackName, ...what });
        return;
      }
      const finishedAt = now();
      const record = buildRecord({
        outcome,
        reason: outcome === RollbackOutcome.DRY_RUN ? `dry run: the gate would have failed, rolling the update back: ${what.note}` : `bake gate: ${what.note}`,
        trigger,
        target,
        targetKind: TargetKind.CLOUDFORMATION_STACK,
        deploymentId: what.claimKey,
        apiCalls: trace.list(),
        ...outcome === RollbackOutcome.DRY_RUN ? { wouldCall: 'bake gate: fail the custom resource (CloudFormation rolls the update back)' } : {},
        ...fault ? { error: what.note } : {},
      }, { rollback: config.rollbackName, requestId, startedAt: invocation.startedAt, finishedAt });
      await recordOutcome(record, eventKey(record.target, record.recordedAt, record.eventId), config, clients, finishedAt);
    },
  };
}
