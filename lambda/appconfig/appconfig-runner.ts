import { AppConfigTargetInput, RollbackOutcome } from '../../src/private/contract';
import type { Decision, TargetRunner } from '../decision';
import type { ActionClaim } from '../ledger/action-claims';
import { actionKey } from '../ledger/ledger-keys';
import { RunnerContext, errorName } from '../runner-context';
import { decideAppConfigAction, isStoppedState } from './decide-appconfig-action';
import { DeploymentView, findLatestDeployment } from './find-latest-deployment';
import { getDeployment } from './get-deployment';
import { stopDeployment } from './stop-deployment';

/**
 * Rolls back or reverts the latest deployment of one AppConfig environment.
 * Critical path: ListDeployments, the claim, StopDeployment. The read names
 * the deployment, and the claim on that deployment number is what makes
 * simultaneous alarms produce one stop.
 */
export async function appConfigRunner(target: AppConfigTargetInput, ctx: RunnerContext): Promise<TargetRunner<DeploymentView | undefined>> {
  const ids = { applicationId: target.applicationId, environmentId: target.environmentId };
  const client = await ctx.clients.appConfig();

  return {
    identifiers: ids,

    inspect: () => findLatestDeployment(client, ctx.trace, ids),

    async act(latest, mayAct): Promise<Decision | undefined> {
      const action = decideAppConfigAction(latest, ctx.now(), target.revertCompletedWithinSeconds);
      const seen = { stateBefore: latest?.state, deploymentNumber: latest?.deploymentNumber };
      if (action.kind === 'NONE' || !latest) {
        if (!await mayAct()) {
          return undefined;
        }
        const earlier = latest && action.outcome === RollbackOutcome.ALREADY_STOPPED
          ? await ctx.claims.heldByThisEvent(deploymentKey(latest.deploymentNumber))
          : undefined;
        if (earlier) {
          return { ...seen, outcome: earlier, stateAfter: latest?.state, reason: `${action.reason}: an earlier delivery of this event made the call, and this one completes its record` };
        }
        return { ...seen, outcome: action.outcome, stateAfter: latest?.state, reason: action.reason };
      }

      const number = latest.deploymentNumber;
      if (ctx.dryRun) {
        return {
          ...seen,
          outcome: RollbackOutcome.DRY_RUN,
          reason: `dry run: would have ${action.outcome} because ${action.reason}`,
          wouldCall: `appconfig:StopDeployment ApplicationId=${ids.applicationId} EnvironmentId=${ids.environmentId} DeploymentNumber=${number} AllowRevert=true`,
        };
      }

      // The claim waits for the duplicate check, so a second delivery of an
      // event writes nothing beyond its record, and the stop waits for the
      // claim. Both are built now and leave as soon as their turn comes.
      const key = deploymentKey(number);
      const claiming = ctx.claims.claim(key, action.outcome, mayAct());
      const stopping = stopDeployment(client, ctx.trace, ids, number, claiming.then(mayStop));
      // Awaited below on every path; this only keeps an early failure from
      // counting as unhandled while the claim is still out.
      stopping.catch(() => undefined);
      const claim = await claiming;
      if (claim.status === 'NOT_ALLOWED') {
        await stopping;
        return undefined;
      }
      if (claim.status === 'TAKEN') {
        await stopping;
        return { ...seen, outcome: RollbackOutcome.ALREADY_STOPPED, reason: `another alarm event already claimed the stop of deployment ${number}` };
      }
      const claimNote = claim.status === 'UNAVAILABLE' ? ` (acted without a ledger claim: ${claim.error})` : '';
      try {
        const stop = await stopping;
        const stateAfter = stop.sent ? stop.answer : undefined;
        return { ...seen, outcome: action.outcome, stateAfter, reason: `${action.reason}${claimNote}`, actedAt: ctx.now() };
      } catch (error) {
        await ctx.claims.release(key);
        if (errorName(error) !== 'BadRequestException') {
          throw error;
        }
        // The deployment changed between the read and the stop (or the stop
        // was applied by an attempt whose answer was lost): read it again.
        const now = await getDeployment(client, ctx.trace, ids, number);
        if (isStoppedState(now.state)) {
          return { ...seen, outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: now.state, reason: `deployment ${number} was ${now.state} when the stop reached it` };
        }
        if (now.state === 'COMPLETE') {
          return {
            ...seen,
            outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
            stateAfter: now.state,
            reason: `deployment ${number} completed before the stop reached it, and AppConfig refused to revert it: ${(error as Error).message}`,
          };
        }
        throw error;
      }
    },
  };

  function deploymentKey(deploymentNumber: number) {
    return actionKey('appconfig', ids.applicationId, ids.environmentId, deploymentNumber);
  }
}

/** A claim held lets the stop go; so does an unavailable ledger, which must never block a rollback. */
function mayStop(claim: ActionClaim): boolean {
  return claim.status === 'CLAIMED' || claim.status === 'UNAVAILABLE';
}
