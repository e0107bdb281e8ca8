import { ProtonEnvironmentTargetInput, RollbackOutcome } from '../../src/private/contract';
import type { Decision, TargetRunner } from '../decision';
import { actionKey } from '../ledger/ledger-keys';
import { RunnerContext, errorName } from '../runner-context';
import { cancelEnvironmentDeployment } from './cancel-environment-deployment';
import { EnvironmentView, getEnvironment } from './get-environment';

const CANCELLED = new Set(['CANCELLING', 'CANCELLED']);
// Proton refuses a cancel when nothing is IN_PROGRESS; either error means the update ended first.
const REFUSED = new Set(['ValidationException', 'ConflictException']);

/**
 * Cancels the IN_PROGRESS deployment of one Proton environment.
 *
 * AWS ended support for Proton on 2026-10-07. Everything Proton-specific in
 * the handler lives in this folder, so the target can be removed in one step.
 */
export async function protonEnvironmentRunner(target: ProtonEnvironmentTargetInput, ctx: RunnerContext): Promise<TargetRunner<EnvironmentView>> {
  const name = target.environmentName;
  const client = await ctx.clients.proton();

  return {
    identifiers: { environmentName: name },

    inspect: () => getEnvironment(client, ctx.trace, name),

    async act(environment, mayAct): Promise<Decision | undefined> {
      if (!await mayAct()) {
        return undefined;
      }
      const seen = { stateBefore: environment.deploymentStatus, deploymentId: environment.deploymentId };
      const key = actionKey('proton', name, environment.deploymentId);
      if (environment.deploymentStatus !== 'IN_PROGRESS') {
        const stopped = CANCELLED.has(environment.deploymentStatus);
        const earlier = stopped ? await ctx.claims.heldByThisEvent(key) : undefined;
        if (earlier) {
          return { ...seen, outcome: earlier, stateAfter: environment.deploymentStatus, reason: `environment ${name} is ${environment.deploymentStatus}: an earlier delivery of this event made the call, and this one completes its record` };
        }
        return {
          ...seen,
          outcome: stopped ? RollbackOutcome.ALREADY_STOPPED : RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
          stateAfter: environment.deploymentStatus,
          reason: `environment ${name} deployment is ${environment.deploymentStatus}`,
        };
      }
      if (ctx.dryRun) {
        return {
          ...seen,
          outcome: RollbackOutcome.DRY_RUN,
          reason: `dry run: would have requested the cancel of deployment ${environment.deploymentId}, which is IN_PROGRESS`,
          wouldCall: `proton:CancelEnvironmentDeployment environmentName=${name}`,
        };
      }
      const claim = await ctx.claims.claim(key, RollbackOutcome.CANCEL_REQUESTED);
      if (claim.status === 'TAKEN') {
        return { ...seen, outcome: RollbackOutcome.ALREADY_STOPPED, reason: `another alarm event already claimed the cancel of deployment ${environment.deploymentId}` };
      }
      const claimNote = claim.status === 'UNAVAILABLE' ? ` (acted without a ledger claim: ${claim.error})` : '';
      try {
        const after = await cancelEnvironmentDeployment(client, ctx.trace, name);
        return {
          ...seen,
          outcome: RollbackOutcome.CANCEL_REQUESTED,
          stateAfter: after.deploymentStatus,
          reason: `deployment ${environment.deploymentId} was IN_PROGRESS; Proton answered ${after.deploymentStatus}${claimNote}`,
          actedAt: ctx.now(),
        };
      } catch (error) {
        await ctx.claims.release(key);
        if (!REFUSED.has(errorName(error) ?? '')) {
          throw error;
        }
        const now = await getEnvironment(client, ctx.trace, name);
        if (now.deploymentStatus === 'IN_PROGRESS') {
          throw error;
        }
        return {
          ...seen,
          outcome: CANCELLED.has(now.deploymentStatus) ? RollbackOutcome.ALREADY_STOPPED : RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
          stateAfter: now.deploymentStatus,
          reason: `the deployment was ${now.deploymentStatus} when the cancel reached it: ${(error as Error).message}`,
        };
      }
    },
  };
}
