import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackOutcome } from '../../../src/contract';
import { errorText } from '../errors';
import { sendWhenAllowed } from '../send-when-allowed';

/*
 * The claim on the one stop or cancel call a deployment gets: one ledger item
 * per deployment (`ACTION#<service>#<ids>#<deployment>`), owned by one event
 * of one target. Two alarms of a target, or one alarm feeding two targets on
 * the same environment, race for it; the owner makes the call.
 *
 *                 claim (conditional put)
 *   (absent) ─────────────────────────────▶ CLAIMED ──stop answered──▶ DONE ──TTL──▶ (absent)
 *       ▲                                    │  ▲
 *       └──── release: the owner's stop ─────┘  └── taken again by its owner (a retry of
 *             failed (conditional delete            the same event for the same target), or
 *             on event AND target)                  by anyone once the lease is over (the
 *                                                   owner died; lease = function timeout)
 *
 *   DONE is never taken again: its deployment was stopped.
 *
 * Who does what, when (H holds the claim, L lost it):
 *
 *   H  read ── claim ✓ ── stop ─────────── answer ── mark DONE ── record ROLLED_BACK
 *   L  read ── claim ✗ ── wait: CLAIMED … DONE ── read the deployment: stopped ── record ALREADY_STOPPED
 *   L  read ── claim ✗ ── wait: CLAIMED … (absent: H's stop failed, H released) ── FAILED, Lambda retries L
 *   L  read ── claim ✗ ── wait: CLAIMED … still CLAIMED when the wait ends ───────── FAILED, Lambda retries L
 *
 * The alarm-state check's deployment tick takes the same AppConfig claim,
 * owned by its invocation id, but in a state of its own, ANSWERED: its "call"
 * is the ROLL_BACK answer, and AppConfig acts on it after the tick is over,
 * or not at all when the deployment completes first (ticks run beside the
 * workflow). So ANSWERED is not DONE until someone sees the deployment
 * rolling back:
 *
 *   (absent) ──tick answers ROLL_BACK──▶ ANSWERED ──a read shows it ROLLING_BACK / ROLLED_BACK──▶ DONE
 *                                           │
 *                                           └──a read shows it ended otherwise (COMPLETE)──▶ CLAIMED by
 *                                              the event that saw it (take over), which reverts it inside
 *                                              revertCompletedWithin, or records what it saw
 *
 *   T  tick: read ── claim ANSWERED ✓ ── answer ROLL_BACK ── record ROLLED_BACK ("AppConfig was told")
 *   T' later tick: claim ✗ ── read: ANSWERED or DONE ── answer ROLL_BACK, record nothing
 *   E  event: claim ✗ ── wait: ANSWERED ── read the deployment each poll:
 *        ROLLING_BACK/ROLLED_BACK ── confirm (ANSWERED -> DONE) ── record ALREADY_STOPPED
 *        COMPLETE ── take over (ANSWERED -> CLAIMED) ── StopDeployment (revert) ── DONE ── record REVERTED
 *        still DEPLOYING/BAKING ── AppConfig has not acted yet: wait on
 *
 * An ANSWERED claim past its lease is open to any event, as a CLAIMED one is
 * (AppConfig did not act on the answer in time); never to another tick.
 *
 * So ALREADY_STOPPED is only recorded after a read of the service showed the
 * deployment stopped, and while the service refuses every stop, every event
 * of a burst ends FAILED: the holder with the service's error, the others
 * with HolderNotDoneError. Their retries read afresh, one of them claims and
 * stops, and the rest see it stopped.
 */

/** What a claim came to. */
export type ActionClaim =
  | { readonly status: 'CLAIMED' }
  | { readonly status: 'TAKEN' }
  | { readonly status: 'UNAVAILABLE'; readonly error: string }
  /** The claim's condition (the event's duplicate check) said no: nothing was written. */
  | { readonly status: 'NOT_ALLOWED' };

/** A claim as another event reads it while it waits. */
export type ClaimView =
  | { readonly state: 'ABSENT' }
  | { readonly state: 'CLAIMED' | 'ANSWERED' | 'DONE'; readonly eventId?: string; readonly target?: string }
  | { readonly state: 'UNREADABLE'; readonly error: string };

const CLAIMED = 'CLAIMED';
const ANSWERED = 'ANSWERED';
const DONE = 'DONE';

/** The claims of one event for one target. */
export interface ActionClaims {
  /**
   * Claims the call on `key`. With `allowed`, the write leaves only once it
   * resolves true (it is built and signed meanwhile), and not at all when it
   * resolves false.
   */
  claim(key: LedgerKey, intended: RollbackOutcome, allowed?: Promise<boolean>): Promise<ActionClaim>;
  /**
   * A deployment tick's claim: taken like `claim`, but left ANSWERED, since
   * the tick's ROLL_BACK answer is only acted on by AppConfig afterwards.
   */
  claimAnswered(key: LedgerKey, intended: RollbackOutcome): Promise<ActionClaim>;
  /** Marks this owner's claim DONE once its call succeeded; never fails (a claim left CLAIMED ends with its lease). */
  markDone(key: LedgerKey, intended: RollbackOutcome): Promise<void>;
  /** Marks a tick's ANSWERED claim DONE once a read showed the deployment rolling back; never fails. */
  confirmAnswered(key: LedgerKey): Promise<void>;
  /**
   * Takes a tick's ANSWERED claim over once a read showed its deployment
   * ended without rolling back: CLAIMED for this event, which makes its own
   * call. TAKEN when someone else changed the claim first.
   */
  takeOverAnswered(key: LedgerKey, intended: RollbackOutcome): Promise<ActionClaim>;
  /** Gives this owner's claim back after a failed call, so a retry or another alarm can act; never touches another owner's. */
  release(key: LedgerKey): Promise<void>;
  /** The claim as it stands now, for an event that lost it. */
  read(key: LedgerKey): Promise<ClaimView>;
  /** The outcome this event, for this target, claimed earlier, if it holds the claim. */
  heldByThisEvent(key: LedgerKey): Promise<RollbackOutcome | undefined>;
}

export interface ActionClaimsOptions {
  readonly table: string;
  readonly eventId: string;
  readonly targetName: string;
  readonly now: () => number;
  readonly leaseSeconds: number;
  readonly expiresAt: number;
}

export function ledgerActionClaims(client: DynamoDBClient, options: ActionClaimsOptions): ActionClaims {
  const names = { '#eventId': 'eventId', '#target': 'target', '#claimState': 'claimState' };
  const owner = { ':eventId': { S: options.eventId }, ':target': { S: options.targetName } };
  const isOwner = '#eventId = :eventId AND #target = :target';
  const item = (key: LedgerKey, intended: RollbackOutcome, claimState: string, at: number) => ({
    ...keyAttributes(key),
    ...toAttributeValues({
      eventId: options.eventId,
      target: options.targetName,
      intended,
      claimState,
      claimedAt: at,
      [Ledger.TTL_ATTRIBUTE]: options.expiresAt,
    }),
  });

  async function put(key: LedgerKey, intended: RollbackOutcome, state: string, allowed: Promise<boolean>): Promise<ActionClaim> {
    const now = options.now();
    // A claim written before claims had states (no claimState) is an open
    // one. An event may also take a tick's ANSWERED claim past its lease (the
    // answer was not acted on in time); a tick never takes one, so a later
    // tick of a deployment already answered records nothing more.
    const open = state === ANSWERED
      ? '(#claimState = :claimed OR attribute_not_exists(#claimState))'
      : '(#claimState = :claimed OR #claimState = :answered OR attribute_not_exists(#claimState))';
    const command = new PutItemCommand({
      TableName: options.table,
      Item: item(key, intended, state, now),
      ConditionExpression: `attribute_not_exists(#pk) OR (${open} AND ((${isOwner}) OR #claimedAt < :leaseCutoff))`,
      ExpressionAttributeNames: { ...names, '#pk': Ledger.PARTITION_KEY, '#claimedAt': 'claimedAt' },
      ExpressionAttributeValues: {
        ...owner,
        ':claimed': { S: CLAIMED },
        ...state === ANSWERED ? {} : { ':answered': { S: ANSWERED } },
        ':leaseCutoff': { N: String(now - options.leaseSeconds * 1000) },
      },
    });
    try {
      const written = await sendWhenAllowed(client, command, allowed, () => client.send(command));
      return written.sent ? { status: 'CLAIMED' } : { status: 'NOT_ALLOWED' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { status: 'TAKEN' };
      }
      return { status: 'UNAVAILABLE', error: errorText(error) };
    }
  }

  return {
    async claim(key, intended, allowed = Promise.resolve(true)) {
      return put(key, intended, CLAIMED, allowed);
    },

    async claimAnswered(key, intended) {
      return put(key, intended, ANSWERED, Promise.resolve(true));
    },

    async takeOverAnswered(key, intended) {
      try {
        await client.send(new PutItemCommand({
          TableName: options.table,
          Item: item(key, intended, CLAIMED, options.now()),
          ConditionExpression: '#claimState = :answered',
          ExpressionAttributeNames: { '#claimState': 'claimState' },
          ExpressionAttributeValues: { ':answered': { S: ANSWERED } },
        }));
        return { status: 'CLAIMED' };
      } catch (error) {
        return error instanceof ConditionalCheckFailedException ? { status: 'TAKEN' } : { status: 'UNAVAILABLE', error: errorText(error) };
      }
    },

    async confirmAnswered(key) {
      try {
        const found = (await client.send(new GetItemCommand({ TableName: options.table, Key: keyAttributes(key), ConsistentRead: true }))).Item;
        if (found?.claimState?.S !== ANSWERED) {
          return;
        }
        await client.send(new PutItemCommand({
          TableName: options.table,
          Item: { ...found, claimState: { S: DONE } },
          ConditionExpression: '#claimState = :answered AND #eventId = :eventId',
          ExpressionAttributeNames: { '#claimState': 'claimState', '#eventId': 'eventId' },
          ExpressionAttributeValues: { ':answered': { S: ANSWERED }, ':eventId': found.eventId ?? { S: '' } },
        }));
      } catch {
        // Left ANSWERED, the claim still reads as answered; the deployment itself is what readers check.
      }
    },

    async markDone(key, intended) {
      try {
        // A put rather than an update, so the handler needs no DynamoDB action beyond the ones it already calls.
        await client.send(new PutItemCommand({
          TableName: options.table,
          Item: item(key, intended, DONE, options.now()),
          ConditionExpression: `${isOwner} OR attribute_not_exists(#pk)`,
          ExpressionAttributeNames: { '#eventId': 'eventId', '#target': 'target', '#pk': Ledger.PARTITION_KEY },
          ExpressionAttributeValues: owner,
        }));
      } catch {
        // Left CLAIMED, the claim ends with its lease; waiting events read the deployment itself.
      }
    },

    async release(key) {
      try {
        await client.send(new DeleteItemCommand({
          TableName: options.table,
          Key: keyAttributes(key),
          ConditionExpression: `${isOwner} AND #claimState = :claimed`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...owner, ':claimed': { S: CLAIMED } },
        }));
      } catch {
        // Not ours, already DONE, or the ledger is down: a claim that cannot be released expires with its lease.
      }
    },

    async read(key) {
      try {
        const answer = await client.send(new GetItemCommand({ TableName: options.table, Key: keyAttributes(key), ConsistentRead: true }));
        const found = answer.Item;
        if (!found) {
          return { state: 'ABSENT' };
        }
        const state = found.claimState?.S === DONE ? 'DONE' : found.claimState?.S === ANSWERED ? 'ANSWERED' : 'CLAIMED';
        return { state, eventId: found.eventId?.S, target: found.target?.S };
      } catch (error) {
        return { state: 'UNREADABLE', error: errorText(error) };
      }
    },

    async heldByThisEvent(key) {
      try {
        const answer = await client.send(new GetItemCommand({
          TableName: options.table,
          Key: keyAttributes(key),
          ConsistentRead: true,
        }));
        const found = answer.Item;
        if (found?.eventId?.S === options.eventId && found.target?.S === options.targetName && found.intended?.S) {
          return found.intended.S as RollbackOutcome;
        }
        return undefined;
      } catch {
        return undefined;
      }
    },
  };
}
