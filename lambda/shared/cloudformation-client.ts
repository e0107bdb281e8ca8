import { CloudFormationClient, type CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';

/**
 * The CloudFormation client, loaded on the first stack target's event. Only
 * the client class is named, so the bundle keeps the three commands the
 * handler sends instead of the service's full command list and schemas.
 */
export function newCloudFormationClient(options: CloudFormationClientConfig): CloudFormationClient {
  return new CloudFormationClient(options);
}
