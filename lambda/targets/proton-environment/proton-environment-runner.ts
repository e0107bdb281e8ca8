import { cancelEnvironmentDeployment } from './cancel-environment-deployment';
import { EnvironmentView, getEnvironment } from './get-environment';
import { ProtonEnvironmentTargetInput, RollbackOutcome } from '../../../src/contract';
import { errorName } from '../../shared/errors';
import { actionKey } from '../../shared/ledger/ledger-keys';
import { OneCall, callOnce, decideWithoutCall, dryRunDecision } from '../act-once';
import type { TargetRunner, RunnerContext } from '../target-runner';

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

    async act(environment, mayAct) {
      const first = { stateBefore: environment.deploymentStatus, deploymentId: environment.deploymentId };
      const key = actionKey('proton', name, environment.deploymentId);
      const status = environment.deploymentStatus;
      if (status !== 'IN_PROGRESS') {
        return decideWithoutCall(ctx, mayAct, { ...first, stateAfter: status }, {
          outcome: CANCELLED.has(status) ? RollbackOutcome.ALREADY_STOPPED : RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
          reason: `environment ${name} deployment is ${status}`,
        }, key);
      }
      // The environment's latest attempt is the only one Proton shows; one
      // made after the state change is not what the alarm saw.
      if (environment.attemptedAt !== undefined && environment.attemptedAt > ctx.alarmAt) {
        return decideWithoutCall(ctx, mayAct, { ...first, stateAfter: status }, {
          outcome: RollbackOutcome.STARTED_AFTER_ALARM,
          reason: `deployment ${environment.deploymentId} of environment ${name} was attempted at ${iso(environment.attemptedAt)}, after the alarm changed state at ${iso(ctx.alarmAt)}; this event is no evidence against it`,
        });
      }
      if (ctx.dryRun) {
        return dryRunDecision(ctx, first,
          `dry run: would have requested the cancel of deployment ${environment.deploymentId}, which is IN_PROGRESS`,
          `proton:CancelEnvironmentDeployment environmentName=${name}`);
      }
      const cancel: OneCall = {
        subject: `deployment ${environment.deploymentId} of environment ${name}`,
        key,
        intended: RollbackOutcome.CANCEL_REQUESTED,
        call: async (allowed) => {
          const answer = await cancelEnvironmentDeployment(client, ctx.trace, name, allowed);
          return answer.sent ? { sent: true, answer: answer.answer.deploymentStatus } : answer;
        },
        isRefusal: (error) => REFUSED.has(errorName(error) ?? ''),
        reread: async () => {
          const now = await getEnvironment(client, ctx.trace, name);
          // A newer attempt means the one claimed has ended; Proton no longer shows how.
          const same = now.deploymentId === environment.deploymentId;
          return {
            state: same ? now.deploymentStatus : `${now.deploymentStatus} (newer attempt ${now.deploymentId})`,
            stopped: same && CANCELLED.has(now.deploymentStatus),
            inFlight: same && now.deploymentStatus === 'IN_PROGRESS',
          };
        },
      };
      return callOnce(ctx, mayAct, first, cancel, `deployment ${environment.deploymentId} was IN_PROGRESS`);
    },
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
