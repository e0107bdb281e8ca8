import { MAX_REVERT_WINDOW_SECONDS, RollbackOutcome } from '../../src/private/contract';
import { UnexpectedAnswerError } from '../decision';
import type { DeploymentView } from './find-latest-deployment';

const IN_PROGRESS = new Set(['DEPLOYING', 'BAKING', 'VALIDATING']);
const STOPPED = new Set(['ROLLING_BACK', 'ROLLED_BACK', 'REVERTED']);

export type AppConfigAction =
  | { readonly kind: 'STOP'; readonly outcome: RollbackOutcome.ROLLED_BACK | RollbackOutcome.REVERTED; readonly reason: string }
  | { readonly kind: 'NONE'; readonly outcome: RollbackOutcome.ALREADY_STOPPED | RollbackOutcome.NO_ACTIVE_DEPLOYMENT; readonly reason: string };

/** What the latest deployment of an environment calls for. Pure, so every row of the table is tested alone. */
export function decideAppConfigAction(
  latest: DeploymentView | undefined,
  now: number,
  revertWithinSeconds: number,
): AppConfigAction {
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
  const window = Math.min(revertWithinSeconds, MAX_REVERT_WINDOW_SECONDS) * 1000;
  const age = now - latest.completedAt;
  if (age > window) {
    return {
      kind: 'NONE',
      outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
      reason: `deployment ${number} completed ${Math.round(age / 1000)} s ago, outside the ${window / 1000} s revert window`,
    };
  }
  return {
    kind: 'STOP',
    outcome: RollbackOutcome.REVERTED,
    reason: `deployment ${number} completed ${Math.round(age / 1000)} s ago, inside the ${window / 1000} s revert window`,
  };
}

export function isStoppedState(state: string): boolean {
  return STOPPED.has(state);
}
