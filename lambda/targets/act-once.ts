import type { Decision, MayAct, RunnerContext } from './target-runner';
import { RollbackOutcome } from '../../src/contract';
import { HolderNotDoneError } from '../shared/errors';
import type { ActionClaim, ClaimView } from '../shared/ledger/action-claims';
import type { LedgerKey } from '../shared/ledger/ledger-keys';
import type { HeldSend } from '../shared/send-when-allowed';

/**
 * The one protocol both runners follow around their single mutating call
 * (AppConfig StopDeployment, Proton CancelEnvironmentDeployment), with the
 * claim states drawn in `shared/ledger/action-claims.ts`. A runner supplies the
 * service side; this module decides who calls, who waits and what is recorded.
 */

/** The deployment as a re-read shows it. */
export interface Seen {
  readonly state: string;
  /** Stopping, stopped or reverted: what the call asks for has happened. */
  readonly stopped: boolean;
  /** Still running, so a refusal of the call is not explained by its end. */
  readonly inFlight: boolean;
  /**
   * For a deployment that ended without being stopped: the call this event
   * would make about it now (a revert inside the window), or none. Read when
   * a deployment tick's ROLL_BACK answer was never acted on.
   */
  readonly wouldNow?: { readonly intended: RollbackOutcome; readonly reason: string };
  /**
   * What to record when a refused call finds the deployment ended without
   * being stopped: NO_ACTIVE_DEPLOYMENT unless the kind names its own outcome
   * (a stack update that completed first is COMPLETED_BEFORE_STOP).
   */
  readonly endedAs?: RollbackOutcome;
}

/** The service side of one deployment's call. */
export interface OneCall {
  /** The deployment in words, for reasons: `deployment 3`. */
  readonly subject: string;
  readonly key: LedgerKey;
  /** The outcome the call brings about. */
  readonly intended: RollbackOutcome;
  /** Makes the call once `allowed` resolves true (building it meanwhile); answers the state the service reports after it. */
  call(allowed: Promise<boolean>): Promise<HeldSend<string | undefined>>;
  /** Whether an error is the service refusing the call because the deployment can no longer be stopped. */
  isRefusal(error: unknown): boolean;
  /** Reads the deployment again. */
  reread(): Promise<Seen>;
}

/** What the record keeps of the first read. */
type SeenFirst = Pick<Decision, 'stateBefore' | 'deploymentNumber' | 'deploymentId'>;

/**
 * Records a decision that makes no call, once the duplicate check allows.
 * When the deployment is already stopped and this event (for this target)
 * holds its claim, an earlier delivery made the call and died before its
 * record: the record completes with the claimed outcome.
 */
export async function decideWithoutCall(
  ctx: RunnerContext,
  mayAct: MayAct,
  first: SeenFirst & { readonly stateAfter?: string },
  decision: { readonly outcome: RollbackOutcome; readonly reason: string },
  key?: LedgerKey,
): Promise<Decision | undefined> {
  if (!await mayAct()) {
    return undefined;
  }
  if (key && decision.outcome === RollbackOutcome.ALREADY_STOPPED) {
    // A deployment tick may have told AppConfig to roll it back and left the
    // claim ANSWERED: seen stopped, that answer was acted on.
    ctx.afterwards(ctx.claims.confirmAnswered(key));
  }
  const earlier = key && decision.outcome === RollbackOutcome.ALREADY_STOPPED ? await ctx.claims.heldByThisEvent(key) : undefined;
  if (earlier) {
    return { ...first, outcome: earlier, reason: `${decision.reason}: an earlier delivery of this event made the call, and this one completes its record` };
  }
  return { ...first, ...decision };
}

/**
 * What a dry run records in place of the call: only where the alarm's
 * actions would have let the call be made, so a paused alarm records nothing
 * in a dry run either.
 */
export async function dryRunDecision(
  ctx: RunnerContext,
  first: SeenFirst,
  reason: string,
  wouldCall: string,
): Promise<Decision | undefined> {
  if (!await ctx.actionsActive()) {
    return undefined;
  }
  return { ...first, outcome: RollbackOutcome.DRY_RUN, reason, wouldCall };
}

/**
 * Claims the call and makes it, or waits for the event that holds the claim.
 * The claim waits for the duplicate check and the call for the claim; both
 * are built at once and leave as soon as their turn comes.
 */
export async function callOnce(ctx: RunnerContext, mayAct: MayAct, first: SeenFirst, one: OneCall, reason: string): Promise<Decision | undefined> {
  const claiming = ctx.claims.claim(one.key, one.intended, mayAct());
  // Only the claim's holder reads whether the alarm's actions are paused:
  // one DescribeAlarms for the deployment, however many deliveries race.
  const cleared = claiming.then(async (claim) => mayCall(claim) && await ctx.actionsActive());
  const calling = one.call(cleared);
  // Awaited below on every path; this only keeps an early failure from
  // counting as unhandled while the claim is still out.
  calling.catch(() => undefined);
  const claim = await claiming;
  if (claim.status === 'NOT_ALLOWED') {
    await calling;
    return undefined;
  }
  if (claim.status === 'TAKEN') {
    await calling;
    return waitForHolder(ctx, first, one);
  }
  if (!await cleared) {
    // Paused: the call was never sent. The claim goes back, so another
    // alarm of the deployment whose actions are live can still act.
    await calling;
    if (claim.status === 'CLAIMED') {
      await ctx.claims.release(one.key);
    }
    return undefined;
  }
  const claimNote = claim.status === 'UNAVAILABLE' ? ` (acted without a ledger claim: ${claim.error})` : '';
  try {
    const answer = await calling;
    const actedAt = ctx.now();
    ctx.afterwards(ctx.claims.markDone(one.key, one.intended));
    return { ...first, outcome: one.intended, stateAfter: answer.sent ? answer.answer : undefined, reason: `${reason}${claimNote}`, actedAt };
  } catch (error) {
    if (!one.isRefusal(error)) {
      await ctx.claims.release(one.key);
      throw error;
    }
    // The deployment changed between the read and the call (or an attempt
    // whose answer was lost made the call): read it again.
    const now = await one.reread().catch(async (readError: unknown) => {
      await ctx.claims.release(one.key);
      throw readError;
    });
    if (now.stopped) {
      ctx.afterwards(ctx.claims.markDone(one.key, one.intended));
      return { ...first, outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: now.state, reason: `${one.subject} was ${now.state} when the call reached it` };
    }
    await ctx.claims.release(one.key);
    if (now.inFlight) {
      throw error;
    }
    return {
      ...first,
      outcome: now.endedAs ?? RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
      stateAfter: now.state,
      reason: `${one.subject} was ${now.state} when the call reached it, and the service refused it: ${(error as Error).message}`,
    };
  }
}

/**
 * Another event holds the claim. Polls it until the holder is DONE, then
 * reads the deployment: ALREADY_STOPPED is recorded only when that read shows
 * it stopped. A released claim, or one still open when the wait ends, fails
 * the event so Lambda retries it; the retry reads afresh.
 */
async function waitForHolder(ctx: RunnerContext, first: SeenFirst, one: OneCall): Promise<Decision> {
  let pause = FIRST_POLL_MS;
  let last: ClaimView;
  for (;;) {
    last = await ctx.claims.read(one.key);
    if (last.state === 'ANSWERED') {
      const decided = await afterTickAnswer(ctx, first, one, last.eventId);
      if (decided) {
        return decided;
      }
    }
    if (last.state === 'DONE' || last.state === 'UNREADABLE') {
      // Without the ledger, only the service can tell; with DONE, it must confirm.
      const now = await one.reread();
      if (now.stopped) {
        return {
          ...first,
          outcome: RollbackOutcome.ALREADY_STOPPED,
          stateAfter: now.state,
          reason: `another alarm event or deployment tick claimed the call on ${one.subject}, and a read shows it ${now.state}`,
        };
      }
      if (!now.inFlight) {
        return {
          ...first,
          outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
          stateAfter: now.state,
          reason: `another alarm event or deployment tick claimed the call on ${one.subject}, and a read shows it ended ${now.state}`,
        };
      }
    }
    if (last.state === 'ABSENT') {
      throw new HolderNotDoneError(`another alarm event or deployment tick claimed the call on ${one.subject} and gave the claim back without stopping it; this event is retried`);
    }
    if (ctx.now() + pause > ctx.waitUntil) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
  const holder = last.state === 'CLAIMED' || last.state === 'ANSWERED' ? ` (held by event ${last.eventId} for ${last.target})` : '';
  throw new HolderNotDoneError(`another alarm event or deployment tick claimed the call on ${one.subject}${holder}, and it was not seen stopped within this invocation; this event is retried`);
}

/**
 * A deployment tick answered ROLL_BACK and holds the claim ANSWERED (see
 * `shared/ledger/action-claims.ts`): AppConfig acts on that answer only if the
 * deployment is still running when it does. The deployment decides:
 * rolling back confirms the tick (DONE), ended otherwise hands the call to
 * this event, still running means AppConfig has not acted yet (undefined:
 * wait on).
 */
async function afterTickAnswer(ctx: RunnerContext, first: SeenFirst, one: OneCall, tick: string | undefined): Promise<Decision | undefined> {
  const now = await one.reread();
  const told = `deployment tick ${tick ?? '(unknown)'} told AppConfig to roll ${one.subject} back`;
  if (now.stopped) {
    ctx.afterwards(ctx.claims.confirmAnswered(one.key));
    return { ...first, outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: now.state, reason: `${told}, and a read shows it ${now.state}` };
  }
  if (now.inFlight) {
    return undefined;
  }
  if (!now.wouldNow) {
    return {
      ...first,
      outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
      stateAfter: now.state,
      reason: `${told}, but a read shows it ended ${now.state} before AppConfig acted on the answer, and it is not to be reverted`,
    };
  }
  const taken = await ctx.claims.takeOverAnswered(one.key, now.wouldNow.intended);
  if (taken.status === 'TAKEN') {
    // Another event saw it first and took the call: wait for that one.
    return undefined;
  }
  const claimNote = taken.status === 'UNAVAILABLE' ? ` (acted without a ledger claim: ${taken.error})` : '';
  try {
    const answer = await one.call(Promise.resolve(true));
    ctx.afterwards(ctx.claims.markDone(one.key, now.wouldNow.intended));
    return {
      ...first,
      outcome: now.wouldNow.intended,
      stateAfter: answer.sent ? answer.answer : undefined,
      reason: `${told}, but a read showed it ${now.state} before AppConfig acted on the answer: ${now.wouldNow.reason}${claimNote}`,
      actedAt: ctx.now(),
    };
  } catch (error) {
    await ctx.claims.release(one.key);
    throw error;
  }
}

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;

/** A claim held lets the call go; so does an unavailable ledger, which must never block a rollback. */
function mayCall(claim: ActionClaim): boolean {
  return claim.status === 'CLAIMED' || claim.status === 'UNAVAILABLE';
}
