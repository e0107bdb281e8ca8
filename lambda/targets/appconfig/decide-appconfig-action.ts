import type { DeploymentView } from './find-latest-deployment';
import { RollbackOutcome, Rules } from '../../../src/contract';
import { UnexpectedAnswerError } from '../../shared/errors';

const IN_PROGRESS = new Set(['DEPLOYING', 'BAKING', 'VALIDATING']);
const STOPPED = new Set(['ROLLING_BACK', 'ROLLED_BACK', 'REVERTED']);

export type AppConfigAction =
  | { readonly kind: 'STOP'; readonly outcome: RollbackOutcome.ROLLED_BACK | RollbackOutcome.REVERTED; readonly reason: string }
  | {
    readonly kind: 'NONE';
    readonly outcome: RollbackOutcome.ALREADY_STOPPED | RollbackOutcome.NO_ACTIVE_DEPLOYMENT | RollbackOutcome.STARTED_AFTER_ALARM;
    readonly reason: string;
  };

/**
 * What the latest deployment of an environment calls for, judged at
 * `alarmAt`, the moment the alarm changed state. Pure, so every row of the
 * table is tested alone.
 *
 * The event is evidence against what was in flight at `alarmAt`: a
 * deployment that started later is left alone, and the revert window is
 * counted back from `alarmAt`, so a late or retried event decides as it would
 * have on time. A deployment that completed after `alarmAt` was in flight at
 * the alarm and may be reverted; AppConfig itself refuses a revert more than
 * 72 hours after completion (StopDeployment API reference), and the caller
 * classifies that refusal.
 */
export function decideAppConfigAction(
  latest: DeploymentView | undefined,
  alarmAt: number,
  revertWithinSeconds: number,
): AppConfigAction {
  const action = decideAtAlarm(latest, alarmAt, revertWithinSeconds);
  // Only what would be stopped needs the start time: a deployment already
  // stopped or left alone stays so. AppConfig reports StartedAt on every
  // deployment (ListDeployments, GetDeployment); without it the deployment
  // counts as in flight, the side a rollback errs on.
  if (action.kind === 'STOP' && latest?.startedAt !== undefined && latest.startedAt > alarmAt) {
    return {
      kind: 'NONE',
      outcome: RollbackOutcome.STARTED_AFTER_ALARM,
      reason: `deployment ${latest.deploymentNumber} started at ${iso(latest.startedAt)}, after the alarm changed state at ${iso(alarmAt)}; this event is no evidence against it`,
    };
  }
  return action;
}

function decideAtAlarm(latest: DeploymentView | undefined, alarmAt: number, revertWithinSeconds: number): AppConfigAction {
  if (!latest) {
    return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: 'the environment has no deployments' };
  }
  const number = latest.deploymentNumber;
  if (IN_PROGRESS.has(latest.state)) {
    return { kind: 'STOP', outcome: RollbackOutcome.ROLLED_BACK, reason: `deployment ${number} was ${latest.state}` };
  }
  if (STOPPED.has(latest.state)) {
    return { kind: 'NONE', outcome: RollbackOutcome.ALREADY_STOPPED, reason: `deployment ${number} is already ${latest.state}` };
  }
  if (latest.state !== 'COMPLETE') {
    throw new UnexpectedAnswerError(`AppConfig reported deployment ${number} in state ${JSON.stringify(latest.state)}, which this handler does not know; upgrade cdk-alarm-rollback`);
  }
  if (revertWithinSeconds <= 0) {
    return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: `deployment ${number} is COMPLETE and reverting completed deployments is off` };
  }
  if (latest.completedAt === undefined) {
    return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: `deployment ${number} is COMPLETE with no completion time, so the revert window cannot be checked` };
  }
  const window = Math.min(revertWithinSeconds, Rules.MAX_REVERT_WINDOW_SECONDS) * 1000;
  const before = alarmAt - latest.completedAt;
  if (before < 0) {
    return {
      kind: 'STOP',
      outcome: RollbackOutcome.REVERTED,
      reason: `deployment ${number} completed at ${iso(latest.completedAt)}, after the alarm changed state at ${iso(alarmAt)}: it was in flight at the alarm`,
    };
  }
  if (before > window) {
    return {
      kind: 'NONE',
      outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
      reason: `deployment ${number} completed ${Math.round(before / 1000)} s before the alarm, outside the ${window / 1000} s revert window`,
    };
  }
  return {
    kind: 'STOP',
    outcome: RollbackOutcome.REVERTED,
    reason: `deployment ${number} completed ${Math.round(before / 1000)} s before the alarm, inside the ${window / 1000} s revert window`,
  };
}

export function isStoppedState(state: string): boolean {
  return STOPPED.has(state);
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
