import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger } from '../../../src/contract';
import { errorText } from '../errors';

export type NotificationClaim =
  | { readonly status: 'CLAIMED' }
  /** An earlier attempt (or delivery) of the event took it: its notification went out. */
  | { readonly status: 'TAKEN' }
  | { readonly status: 'UNAVAILABLE'; readonly error: string };

/**
 * Takes the one notification an outcome of one event gets, with a
 * conditional write keyed on the event (`noticeKey`).
 *
 * Lambda runs an asynchronous invocation up to 3 times ("How Lambda handles
 * errors and retries with asynchronous invocation", Lambda Developer Guide)
 * and tells the function nothing of which attempt it is: the retry carries
 * the same event and request id, and no attempt number. A FAILED outcome is
 * recorded on every attempt, so without this claim each attempt would
 * publish its own FAILED. The first attempt that fails publishes; the later
 * ones find the claim and only record.
 *
 * `UNAVAILABLE` (the ledger could not answer) leaves the choice to the
 * caller, which publishes: a repeated notification is better than none.
 */
export async function claimNotification(
  client: DynamoDBClient,
  table: string,
  key: LedgerKey,
  request: { readonly requestId: string; readonly now: number; readonly expiresAt: number },
): Promise<NotificationClaim> {
  try {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: {
        ...keyAttributes(key),
        ...toAttributeValues({ notifiedAt: request.now, requestId: request.requestId, [Ledger.TTL_ATTRIBUTE]: request.expiresAt }),
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': Ledger.PARTITION_KEY },
    }));
    return { status: 'CLAIMED' };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { status: 'TAKEN' };
    }
    return { status: 'UNAVAILABLE', error: errorText(error) };
  }
}

/**
 * Gives the claim back after the publish failed, so that the event's next
 * attempt publishes instead. Only this request's own claim is removed.
 */
export async function releaseNotification(client: DynamoDBClient, table: string, key: LedgerKey, requestId: string): Promise<void> {
  await client.send(new DeleteItemCommand({
    TableName: table,
    Key: keyAttributes(key),
    ConditionExpression: '#requestId = :requestId',
    ExpressionAttributeNames: { '#requestId': 'requestId' },
    ExpressionAttributeValues: { ':requestId': { S: requestId } },
  }));
}
