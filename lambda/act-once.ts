import type { Decision, MayAct } from './decision';
import { HolderNotDoneError } from './errors';
import type { ActionClaim, ClaimView } from './ledger/action-claims';
import type { LedgerKey } from './ledger/ledger-keys';
import type { RunnerContext } from './runner-context';
import type { HeldSend } from './send-when-allowed';
import { RollbackOutcome } from '../src/private/contract';

/**
 * The one protocol both runners follow around their single mutating call
 * (AppConfig StopDeployment, Proton CancelEnvironmentDeployment), with the
 * claim states drawn in `ledger/action-claims.ts`. A runner supplies the
 * service side; this module decides who calls, who waits and what is recorded.
 */

/** The deployment as a re-read shows it. */
export interface Seen {
  readonly state: string;
  /** Stopping, stopped or reverted: what the call asks for has happened. */
  readonly stopped: boolean;
  /** Still running, so a refusal of the call is not explained by its end. */
  readonly inFlight: boolean;
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
  const earlier = key && decision.outcome === RollbackOutcome.ALREADY_STOPPED ? await ctx.claims.heldByThisEvent(key) : undefined;
  if (earlier) {
    return { ...first, outcome: earlier, reason: `${decision.reason}: an earlier delivery of this event made the call, and this one completes its record` };
  }
  return { ...first, ...decision };
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
      outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
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
  const holder = last.state === 'CLAIMED' ? ` (held by event ${last.eventId} for ${last.target})` : '';
  throw new HolderNotDoneError(`another alarm event or deployment tick claimed the call on ${one.subject}${holder}, and it was not seen stopped within this invocation; this event is retried`);
}

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;

/** A claim held lets the call go; so does an unavailable ledger, which must never block a rollback. */
function mayCall(claim: ActionClaim): boolean {
  return claim.status === 'CLAIMED' || claim.status === 'UNAVAILABLE';
}
