import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { errorText } from '../errors';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackOutcome } from '../../../src/contract';

export type EventClaim =
  | { readonly status: 'CLAIMED' }
  | { readonly status: 'DUPLICATE' }
  | { readonly status: 'UNAVAILABLE'; readonly error: string };

export interface ClaimEventRequest {
  readonly table: string;
  readonly key: LedgerKey;
  readonly requestId: string;
  readonly now: number;
  readonly leaseSeconds: number;
  readonly expiresAt: number;
}

/**
 * Claims an event for this invocation with a conditional write, so a second
 * delivery of the same event id acts on nothing. A claim may be taken over
 * when its earlier attempt FAILED, or when it is older than the lease (the
 * invocation that made it died before recording).
 *
 * An unfinished claim made under the same request id is this request's own:
 * the SDK retrying a write whose answer was lost (the first write landed), or
 * Lambda retrying an asynchronous invocation whose earlier attempt died (the
 * retry keeps the request id). Without that, the retry would meet its own
 * claim, call the event a DUPLICATE and stop nothing.
 *
 * An unavailable ledger does not stop the rollback: the claim reports
 * UNAVAILABLE and the caller goes on, relying on the service's own state.
 */
export async function claimEvent(client: DynamoDBClient, request: ClaimEventRequest): Promise<EventClaim> {
  try {
    await client.send(new PutItemCommand({
      TableName: request.table,
      Item: {
        ...keyAttributes(request.key),
        ...toAttributeValues({
          claimState: 'CLAIMED',
          claimedAt: request.now,
          requestId: request.requestId,
          [Ledger.TTL_ATTRIBUTE]: request.expiresAt,
        }),
      },
      ConditionExpression: 'attribute_not_exists(#pk)'
        + ' OR (#claimState = :claimed AND (#claimedAt < :leaseCutoff OR #requestId = :requestId))'
        + ' OR #outcome = :failed',
      ExpressionAttributeNames: {
        '#pk': Ledger.PARTITION_KEY,
        '#claimState': 'claimState',
        '#claimedAt': 'claimedAt',
        '#requestId': 'requestId',
        '#outcome': Ledger.OUTCOME_INDEX_PARTITION_KEY,
      },
      ExpressionAttributeValues: {
        ':claimed': { S: 'CLAIMED' },
        ':requestId': { S: request.requestId },
        ':leaseCutoff': { N: String(request.now - request.leaseSeconds * 1000) },
        ':failed': { S: RollbackOutcome.FAILED },
      },
    }));
    return { status: 'CLAIMED' };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { status: 'DUPLICATE' };
    }
    return { status: 'UNAVAILABLE', error: errorText(error) };
  }
}
