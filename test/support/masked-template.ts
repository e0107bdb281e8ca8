import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** What an asset hash becomes in a snapshot. */
export const MASKED_HASH = '[asset hash]';

/**
 * A stack's template for a snapshot, with every asset hash masked (the S3 key
 * of an asset is `<64 hex characters>.zip` or `.json`, the hash in a
 * parameter or metadata is the bare 64 hex characters), so that a snapshot
 * changes when the template does, not when a handler edit changes the bundle.
 */
export function maskedTemplate(stack: Stack): unknown {
  return mask(Template.fromStack(stack).toJSON());
}

function mask(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/[0-9a-f]{64}/g, MASKED_HASH);
  }
  if (Array.isArray(value)) {
    return value.map(mask);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.replace(/[0-9a-f]{64}/g, MASKED_HASH), mask(inner)]));
  }
  return value;
}
