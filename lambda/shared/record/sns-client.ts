import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';

/**
 * The SNS client, loaded only by functions that notify. Only the client class
 * is named, so the bundle keeps `Publish` instead of every SNS operation.
 */
export function newSnsClient(options: SNSClientConfig): SNSClient {
  return new SNSClient(options);
}
