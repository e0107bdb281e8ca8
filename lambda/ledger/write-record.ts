import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toAttributeValues } from './attribute-values';
import { LedgerKey, keyAttributes } from './ledger-keys';
import { Ledger, RollbackRecord } from '../../src/private/contract';

/**
 * Writes the final record of a decision over the event's claim. The write is
 * unconditional: whoever reaches this point holds the claim.
 */
export async function writeRecord(
  client: DynamoDBClient,
  table: string,
  key: LedgerKey,
  record: RollbackRecord,
  expiresAt: number,
): Promise<void> {
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
  }));
}
