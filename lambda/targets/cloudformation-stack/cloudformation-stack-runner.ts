import { cancelUpdateStack } from './cancel-update-stack';
import { decideStackAction, isCompletedStatus, isStoppedStatus, latestStatus, StackAction, StackUpdate } from './decide-stack-action';
import { FoundStack, findUpdateInFlight } from './find-update-in-flight';
import { CloudFormationStackTargetInput, RollbackOutcome } from '../../../src/contract';
import { errorName, StackNotUpdatingError } from '../../shared/errors';
import { actionKey, LedgerKey } from '../../shared/ledger/ledger-keys';
import { OneCall, callOnce, decideWithoutCall, dryRunDecision } from '../act-once';
import type { RunnerContext, TargetRunner } from '../target-runner';

/** What `inspect` read: the stack (resolved to its root) and the decision at the alarm's time. */
export interface StackInspection {
  readonly found?: FoundStack;
  readonly action: StackAction;
}

/**
 * The ledger key of the one action on a stack update. Both the alarm-event
 * path and the bake gate take it from the update's claim key (the root
 * stack's ID and the update's start, read from the same stack-level event),
 * so an update gets one cancel and one record whichever path comes first.
 */
export function stackUpdateActionKey(claimKey: string): LedgerKey {
  return actionKey('cloudformation', claimKey);
}

/**
 * Cancels the stack update that was in flight when the alarm changed state.
 *
 * `inspect` finds the update (DescribeStacks, then the root's stack-level
 * events back to the alarm's time) and decides at the alarm's time; `act`
 * cancels under the update's claim. A refused cancel (any ValidationError:
 * the refusal's wording is not documented, research/cloudformation-verify.md
 * b3) reads the stack again and decides from the status it shows.
 *
 * Deliveries on one update race (alarm events, the start gate, the bake
 * gate): whatever a read shows of the update's end, the stack's latest state
 * decides. Events that show it rolling back after a status that said
 * UPDATE_IN_PROGRESS (the decision), or a refused cancel whose re-read finds
 * it rolling back (`reread`), record ALREADY_STOPPED; completed, they record
 * COMPLETED_BEFORE_STOP. Neither records FAILED, which pages someone: that
 * stays for the calls that failed (throttling, access denied, the service
 * down) and for an update the reads cannot place.
 */
export async function cloudFormationStackRunner(
  target: CloudFormationStackTargetInput,
  ctx: RunnerContext,
): Promise<TargetRunner<StackInspection>> {
  const client = await ctx.clients.cloudFormation();
  const asked = target.stackName;

  const read = async (): Promise<StackInspection> => {
    const receivedAt = ctx.now();
    const found = await findUpdateInFlight(client, ctx.trace, asked, ctx.alarmAt, receivedAt);
    return { found, action: decideStackAction(found, ctx.alarmAt, receivedAt) };
  };

  return {
    identifiers: { stackName: asked },

    inspect: read,

    async act({ found, action }, mayAct) {
      const stateBefore = found ? latestStatus(found) : 'DOES_NOT_EXIST';
      const first = { stateBefore, deploymentId: action.update?.claimKey };
      const via = found?.resolvedFrom !== undefined ? ` (the root of nested stack ${found.resolvedFrom})` : '';
      if (action.kind === 'NONE') {
        const key = action.update && action.outcome === RollbackOutcome.ALREADY_STOPPED ? stackUpdateActionKey(action.update.claimKey) : undefined;
        return decideWithoutCall(ctx, mayAct, { ...first, stateAfter: stateBefore }, {
          outcome: action.outcome,
          reason: `stack ${found?.stack.stackName ?? asked}${via}: ${action.reason}`,
        }, key);
      }
      const update = action.update;
      const subject = `the update of stack ${update.stackName}${via} that started at ${new Date(update.startedAt).toISOString()}`;
      if (ctx.dryRun) {
        return dryRunDecision(ctx, first,
          `dry run: would have cancelled ${subject}, which is UPDATE_IN_PROGRESS`,
          `cloudformation:CancelUpdateStack StackName=${update.stackId}`);
      }
      return callOnce(ctx, mayAct, first, cancelOf(update, subject), `stack ${update.stackName}${via}: ${action.reason}`);
    },
  };

  function cancelOf(update: StackUpdate, subject: string): OneCall {
    return {
      subject,
      key: stackUpdateActionKey(update.claimKey),
      intended: RollbackOutcome.CANCEL_REQUESTED,
      call: async (allowed) => {
        const answer = await cancelUpdateStack(client, ctx.trace, update, allowed);
        if (!answer.sent) return answer;
        if (answer.answer === 'NOT_UPDATING') {
          throw new StackNotUpdatingError(`CloudFormation refused to cancel ${subject}: the stack is no longer UPDATE_IN_PROGRESS`);
        }
        // REQUESTED, or ALREADY_REQUESTED: the token is the claim's, so an
        // earlier attempt of ours for this very update was received.
        return { sent: true, answer: answer.answer === 'REQUESTED' ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'cancel already requested' };
      },
      isRefusal: (error) => errorName(error) === 'ValidationError',
      reread: async () => {
        const now = await findUpdateInFlight(client, ctx.trace, update.stackId, update.startedAt, update.startedAt);
        if (now === undefined) {
          return { state: 'DOES_NOT_EXIST', stopped: false, inFlight: false };
        }
        const newest = now.transitions[0];
        // A newer update than the one claimed means the claimed one has ended.
        const same = now.transitions.some((t) => t.eventId === update.startEventId)
          && !now.transitions.some((t) => t.status === 'UPDATE_IN_PROGRESS' && t.at > update.startedAt);
        const status = latestStatus(now);
        return {
          state: same ? status : `${status} (a newer operation since ${newest ? new Date(newest.at).toISOString() : 'then'})`,
          stopped: same && isStoppedStatus(status),
          inFlight: same && status === 'UPDATE_IN_PROGRESS',
          // In flight at the alarm and completed before the cancel reached it: nothing can revert it now.
          endedAs: same && isCompletedStatus(status) ? RollbackOutcome.COMPLETED_BEFORE_STOP : undefined,
        };
      },
    };
  }
}
