import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackOutcome, RollbackRecord } from '../../../src/contract';

/**
 * Writes the final record of a decision over the event's claim.
 *
 * The first final record of an event stands: a write whose answer was lost
 * after it landed can be followed by a retry that only sees the deployment
 * already stopped, and its ALREADY_STOPPED must not replace the ROLLED_BACK
 * that happened. Only a FAILED record gives way to a later decision.
 *
 * @returns false when an earlier final record was kept
 */
export async function writeRecord(
  client: DynamoDBClient,
  table: string,
  key: LedgerKey,
  record: RollbackRecord,
  expiresAt: number,
): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: {
        ...keyAttributes(key),
        ...toAttributeValues({
          ...record,
          claimState: 'RECORDED',
          [Ledger.TTL_ATTRIBUTE]: expiresAt,
        }),
      },
      ConditionExpression: 'attribute_not_exists(#outcome) OR #outcome = :failed',
      ExpressionAttributeNames: { '#outcome': Ledger.OUTCOME_INDEX_PARTITION_KEY },
      ExpressionAttributeValues: { ':failed': { S: RollbackOutcome.FAILED } },
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return false;
    }
    throw error;
  }
}
