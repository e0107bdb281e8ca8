import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/** Attempts of one CloudWatch call, the first included: the SDK's default. */
const CLOUDWATCH_MAX_ATTEMPTS = 3;

/**
 * The wait before retry `attempt` (1, 2): 100 to 200 ms, then 200 to 300 ms.
 * DescribeAlarms' quota is a rate per second (9 by default, CloudWatch User
 * Guide, "CloudWatch service quotas"), so a throttled read is likely to go
 * through a few hundred milliseconds later. The SDK's standard backoff for a
 * throttling error waits up to 500 ms and then up to 1 s, which outlasts the
 * alarm-state check's 1-second read budget at a tick: two throttles in a row
 * would turn into the read-failure policy instead of a read.
 */
function retryDelayMs(attempt: number): number {
  return 100 * attempt + Math.floor(Math.random() * 100);
}

/**
 * The CloudWatch client, in a module of its own like the other services':
 * only the client class is named, so the bundle keeps DescribeAlarms and not
 * every CloudWatch operation and schema.
 */
export function newCloudWatchClient(options: CloudWatchClientConfig): CloudWatchClient {
  return new CloudWatchClient({
    ...options,
    retryStrategy: new ConfiguredRetryStrategy(CLOUDWATCH_MAX_ATTEMPTS, retryDelayMs),
  });
}
