import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { RollbackRecord } from '../../../src/contract';

export const MAX_SUBJECT_LENGTH = 99;

/**
 * Publishes the record. The outcome travels as a message attribute, so
 * subscribers can filter (for example, only ROLLED_BACK and FAILED).
 */
export async function notify(client: SNSClient, topicArn: string, record: RollbackRecord): Promise<void> {
  await client.send(new PublishCommand({
    TopicArn: topicArn,
    // The Publish API reference: the subject "must be less than 100 characters"
    // of printable ASCII, so at most 99.
    Subject: `${record.outcome}: ${record.target}`.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_SUBJECT_LENGTH),
    Message: JSON.stringify(record, null, 2),
    MessageAttributes: {
      outcome: { DataType: 'String', StringValue: record.outcome },
      target: { DataType: 'String', StringValue: record.target },
    },
  }));
}
