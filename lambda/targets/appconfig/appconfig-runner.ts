import { AppConfigTargetInput } from '../../../src/contract';
import { errorName } from '../../shared/errors';
import { actionKey } from '../../shared/ledger/ledger-keys';
import { OneCall, callOnce, decideWithoutCall, dryRunDecision } from '../act-once';
import type { TargetRunner, RunnerContext } from '../target-runner';
import { decideAppConfigAction, isStoppedState } from './decide-appconfig-action';
import { DeploymentView, findLatestDeployment } from './find-latest-deployment';
import { getDeployment } from './get-deployment';
import { stopDeployment } from './stop-deployment';

const IN_FLIGHT = new Set(['DEPLOYING', 'BAKING', 'VALIDATING']);

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

    async act(latest, mayAct) {
      const action = decideAppConfigAction(latest, ctx.alarmAt, target.revertCompletedWithinSeconds);
      const first = { stateBefore: latest?.state, deploymentNumber: latest?.deploymentNumber };
      if (action.kind === 'NONE' || !latest) {
        const key = latest ? deploymentKey(latest.deploymentNumber) : undefined;
        return decideWithoutCall(ctx, mayAct, { ...first, stateAfter: latest?.state }, action, key);
      }

      const number = latest.deploymentNumber;
      if (ctx.dryRun) {
        return dryRunDecision(ctx, first,
          `dry run: would have ${action.outcome} because ${action.reason}`,
          `appconfig:StopDeployment ApplicationId=${ids.applicationId} EnvironmentId=${ids.environmentId} DeploymentNumber=${number} AllowRevert=true`);
      }

      const stop: OneCall = {
        subject: `deployment ${number}`,
        key: deploymentKey(number),
        intended: action.outcome,
        call: (allowed) => stopDeployment(client, ctx.trace, ids, number, allowed),
        // AppConfig answers BadRequestException when the deployment can no longer be stopped or reverted (StopDeployment API reference).
        isRefusal: (error) => errorName(error) === 'BadRequestException',
        reread: async () => {
          const now = await getDeployment(client, ctx.trace, ids, number);
          // A completed deployment is judged as the event would judge it
          // (revertCompletedWithin counted back from the alarm), for a tick's
          // ROLL_BACK answer that came too late to be acted on.
          const later = now.state === 'COMPLETE' ? decideAppConfigAction(now, ctx.alarmAt, target.revertCompletedWithinSeconds) : undefined;
          return {
            state: now.state,
            stopped: isStoppedState(now.state),
            inFlight: IN_FLIGHT.has(now.state),
            wouldNow: later?.kind === 'STOP' ? { intended: later.outcome, reason: later.reason } : undefined,
          };
        },
      };
      return callOnce(ctx, mayAct, first, stop, action.reason);
    },
  };

  function deploymentKey(deploymentNumber: number) {
    return actionKey('appconfig', ids.applicationId, ids.environmentId, deploymentNumber);
  }
}
