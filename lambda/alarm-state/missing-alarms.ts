import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Ledger } from '../../src/contract';
import { errorText } from '../shared/errors';
import { actionKey, keyAttributes } from '../shared/ledger/ledger-keys';

/** Whether this check is the one to record a deployment's missing alarms. */
export type MissingRecord =
  | { readonly first: true; readonly note?: string }
  | { readonly first: false };

export interface MissingAlarmsRequest {
  readonly table: string;
  readonly applicationId: string;
  readonly environmentId: string;
  /** Undefined when the call did not say; then every such check records. */
  readonly deploymentNumber?: number;
  readonly invocationId: string;
  readonly expiresAt: number;
}

/**
 * Makes a deployment's missing alarms recorded once, however many ticks
 * (and its start) find them missing: a conditional put of a marker item
 * beside the deployment's claim (same partition, sort key
 * `MISSING_ALARMS`). The first check to write it records; the rest only log
 * and count. A ledger that cannot be written records anyway, as a second
 * record is better than none.
 */
export async function firstToRecordMissing(client: DynamoDBClient, request: MissingAlarmsRequest): Promise<MissingRecord> {
  if (request.deploymentNumber === undefined) {
    return { first: true };
  }
  const claim = actionKey('appconfig', request.applicationId, request.environmentId, request.deploymentNumber);
  try {
    await client.send(new PutItemCommand({
      TableName: request.table,
      Item: {
        ...keyAttributes({ pk: claim.pk, sk: Ledger.MISSING_ALARMS_SORT_KEY }),
        eventId: { S: request.invocationId },
        [Ledger.TTL_ATTRIBUTE]: { N: String(request.expiresAt) },
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': Ledger.PARTITION_KEY },
    }));
    return { first: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { first: false };
    }
    return { first: true, note: ` (recorded without the once-per-deployment marker: ${errorText(error)})` };
  }
}
