import { AttributeValue, DynamoDBClient, QueryCommand, QueryCommandInput, ScanCommand, ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Ledger } from '../../src/contract';

/** One ledger record as stored (see "The ledger" in the README, and docs/guarantees.md for the claims). */
export type LedgerRecord = Record<string, unknown>;

export interface LedgerFilter {
  /** The target's name (its construct path, as records name it). @default - every target */
  readonly target?: string;
  /** A RollbackOutcome name. @default - every outcome */
  readonly outcome?: string;
  /** ISO 8601 UTC; records with a `recordedAt` before it are left out. @default - every record */
  readonly since?: string;
}

/**
 * Reads the records of one ledger table that pass the filter, newest first
 * (by `recordedAt`, the time of the decision).
 *
 * The cheapest read for the filter: a target is one partition
 * (`pk = TARGET#<name>`), an outcome is one partition of the `byOutcome`
 * index whose sort key is `recordedAt`, so `--since` narrows the index read
 * itself; with neither, the table is scanned for records (claims, whose `pk`
 * starts with `ACTION#`, are left out). Every page is read: DynamoDB returns
 * at most 1 MB per call (Query and Scan in the DynamoDB API Reference), and
 * the newest record can be on any page of a scan.
 */
export async function readLedger(client: DynamoDBClient, table: string, filter: LedgerFilter = {}): Promise<LedgerRecord[]> {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const filters: string[] = [];
  const sinceFilter = () => {
    if (filter.since === undefined) return;
    names['#recordedAt'] = 'recordedAt';
    values[':since'] = { S: filter.since };
    filters.push('#recordedAt >= :since');
  };

  type Key = Record<string, AttributeValue>;
  let pages: (start: Key | undefined) => Promise<{ Items?: Key[]; LastEvaluatedKey?: Key }>;
  if (filter.target !== undefined) {
    names['#pk'] = Ledger.PARTITION_KEY;
    values[':pk'] = { S: `${Ledger.TARGET_PREFIX}${filter.target}` };
    sinceFilter();
    if (filter.outcome !== undefined) {
      names['#outcome'] = Ledger.OUTCOME_INDEX_PARTITION_KEY;
      values[':outcome'] = { S: filter.outcome };
      filters.push('#outcome = :outcome');
    }
    pages = (start) => client.send(new QueryCommand(query({ KeyConditionExpression: '#pk = :pk', ScanIndexForward: false }, start)));
  } else if (filter.outcome !== undefined) {
    names['#outcome'] = Ledger.OUTCOME_INDEX_PARTITION_KEY;
    values[':outcome'] = { S: filter.outcome };
    let key = '#outcome = :outcome';
    if (filter.since !== undefined) {
      names['#recordedAt'] = Ledger.OUTCOME_INDEX_SORT_KEY;
      values[':since'] = { S: filter.since };
      key += ' AND #recordedAt >= :since';
    }
    const byOutcome = { IndexName: Ledger.OUTCOME_INDEX, KeyConditionExpression: key, ScanIndexForward: false };
    pages = (start) => client.send(new QueryCommand(query(byOutcome, start)));
  } else {
    names['#pk'] = Ledger.PARTITION_KEY;
    values[':prefix'] = { S: Ledger.TARGET_PREFIX };
    filters.push('begins_with(#pk, :prefix)');
    sinceFilter();
    pages = (start) => client.send(new ScanCommand(query({}, start) as ScanCommandInput));
  }

  function query(input: Partial<QueryCommandInput>, start: Record<string, AttributeValue> | undefined): QueryCommandInput {
    return {
      TableName: table,
      ...input,
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(start ? { ExclusiveStartKey: start } : {}),
    };
  }

  const records: LedgerRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await pages(start);
    for (const item of page.Items ?? []) records.push(unmarshall(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return newestFirst(records);
}

/** Newest `recordedAt` first; records of several tables merge the same way. */
export function newestFirst(records: LedgerRecord[]): LedgerRecord[] {
  return records.sort((a, b) => String(b.recordedAt ?? '').localeCompare(String(a.recordedAt ?? '')));
}
