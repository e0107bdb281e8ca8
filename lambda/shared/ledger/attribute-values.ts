import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Plain = string | number | boolean | string[] | undefined;

/**
 * Marshals a flat record into DynamoDB attribute values. The ledger only
 * stores strings, numbers, booleans and string lists, so a few lines replace a
 * marshalling library in the handler bundle. Empty values are left out.
 */
export function toAttributeValues(item: Record<string, Plain>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(item)) {
    if (value === undefined || value === '') {
      continue;
    }
    if (typeof value === 'string') {
      out[key] = { S: value };
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) {
        out[key] = { N: String(value) };
      }
    } else if (typeof value === 'boolean') {
      out[key] = { BOOL: value };
    } else {
      out[key] = { L: value.map((entry) => ({ S: entry })) };
    }
  }
  return out;
}
