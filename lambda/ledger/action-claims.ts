import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { errorText } from './claim-event';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackOutcome } from '../../src/private/contract';
import { sendWhenAllowed } from '../send-when-allowed';

export type ActionClaim =
  | { readonly status: 'CLAIMED' }
  | { readonly status: 'TAKEN' }
  | { readonly status: 'UNAVAILABLE'; readonly error: string }
  /** The claim's condition (the event's duplicate check) said no: nothing was written. */
  | { readonly status: 'NOT_ALLOWED' };

/**
 * Claims on the single stop or cancel call each deployment gets. Several
 * alarms of one target fire together; the first event to claim the
 * deployment acts, the others record ALREADY_STOPPED.
 */
export interface ActionClaims {
  /**
   * Claims the call on `key`. With `allowed`, the write leaves only once it
   * resolves true (it is built and signed meanwhile), and not at all when it
   * resolves false.
   */
  claim(key: LedgerKey, intended: RollbackOutcome, allowed?: Promise<boolean>): Promise<ActionClaim>;
  /** Gives a claim back after a failed call, so a retry or another alarm can act. */
  release(key: LedgerKey): Promise<void>;
  /** The outcome this event claimed earlier, if it holds the claim. */
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
  return {
    async claim(key, intended, allowed = Promise.resolve(true)) {
      const now = options.now();
      // Taken over by the same event (its earlier attempt died) or once the
      // lease is over (the holder died and was never retried).
      const command = new PutItemCommand({
        TableName: options.table,
        Item: {
          ...keyAttributes(key),
          ...toAttributeValues({
            eventId: options.eventId,
            target: options.targetName,
            intended,
            claimedAt: now,
            [Ledger.TTL_ATTRIBUTE]: options.expiresAt,
          }),
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #eventId = :eventId OR #claimedAt < :leaseCutoff',
        ExpressionAttributeNames: { '#pk': Ledger.PARTITION_KEY, '#eventId': 'eventId', '#claimedAt': 'claimedAt' },
        ExpressionAttributeValues: {
          ':eventId': { S: options.eventId },
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

    async release(key) {
      try {
        await client.send(new DeleteItemCommand({
          TableName: options.table,
          Key: keyAttributes(key),
          ConditionExpression: '#eventId = :eventId',
          ExpressionAttributeNames: { '#eventId': 'eventId' },
          ExpressionAttributeValues: { ':eventId': { S: options.eventId } },
        }));
      } catch {
        // A claim that cannot be released expires with its lease.
      }
    },

    async heldByThisEvent(key) {
      try {
        const answer = await client.send(new GetItemCommand({
          TableName: options.table,
          Key: keyAttributes(key),
          ConsistentRead: true,
        }));
        const item = answer.Item;
        if (item?.eventId?.S === options.eventId && item.intended?.S) {
          return item.intended.S as RollbackOutcome;
        }
        return undefined;
      } catch {
        return undefined;
      }
    },
  };
}
