import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackOutcome } from '../../src/private/contract';
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
 * owned by its invocation id: when it holds it, it answers ROLL_BACK (AppConfig
 * then rolls the deployment back itself, so "stop answered" is the answer
 * being given) and marks it DONE; when it loses it, it records nothing and
 * answers CONTINUE while the holder is CLAIMED, ROLL_BACK once it is DONE.
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
  | { readonly state: 'CLAIMED' | 'DONE'; readonly eventId?: string; readonly target?: string }
  | { readonly state: 'UNREADABLE'; readonly error: string };

const CLAIMED = 'CLAIMED';
const DONE = 'DONE';

/** The claims of one event for one target. */
export interface ActionClaims {
  /**
   * Claims the call on `key`. With `allowed`, the write leaves only once it
   * resolves true (it is built and signed meanwhile), and not at all when it
   * resolves false.
   */
  claim(key: LedgerKey, intended: RollbackOutcome, allowed?: Promise<boolean>): Promise<ActionClaim>;
  /** Marks this owner's claim DONE once its call succeeded; never fails (a claim left CLAIMED ends with its lease). */
  markDone(key: LedgerKey, intended: RollbackOutcome): Promise<void>;
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

  return {
    async claim(key, intended, allowed = Promise.resolve(true)) {
      const now = options.now();
      const command = new PutItemCommand({
        TableName: options.table,
        Item: item(key, intended, CLAIMED, now),
        // A claim written before claims had states (no claimState) is an open one.
        ConditionExpression: 'attribute_not_exists(#pk) OR ((#claimState = :claimed OR attribute_not_exists(#claimState))'
          + ` AND ((${isOwner}) OR #claimedAt < :leaseCutoff))`,
        ExpressionAttributeNames: { ...names, '#pk': Ledger.PARTITION_KEY, '#claimedAt': 'claimedAt' },
        ExpressionAttributeValues: {
          ...owner,
          ':claimed': { S: CLAIMED },
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
        return { state: found.claimState?.S === DONE ? 'DONE' : 'CLAIMED', eventId: found.eventId?.S, target: found.target?.S };
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
