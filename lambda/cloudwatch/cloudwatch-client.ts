import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';

/**
 * The CloudWatch client, in a module of its own like the other services':
 * only the client class is named, so the bundle keeps DescribeAlarms and not
 * every CloudWatch operation and schema.
 */
export function newCloudWatchClient(options: CloudWatchClientConfig): CloudWatchClient {
  return new CloudWatchClient(options);
}
