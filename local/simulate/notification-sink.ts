import { randomUUID } from 'crypto';
import { listenOnLoopback } from '../loopback-server';

/** One SNS Publish the sink received. */
export interface SentNotification {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

export interface NotificationSink {
  readonly endpoint: string;
  readonly notifications: SentNotification[];
  close(): Promise<void>;
}

/**
 * A stand-in for SNS that accepts Publish (awsQuery protocol) and keeps the
 * messages, so a handler with a notification topic runs without AWS.
 */
export async function startNotificationSink(): Promise<NotificationSink> {
  const notifications: SentNotification[] = [];
  const server = await listenOnLoopback((_req, res, body) => {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('Action') !== 'Publish') {
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only Publish is simulated</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      return;
    }
    notifications.push({ topicArn: form.get('TopicArn') ?? '', subject: form.get('Subject') ?? undefined, message: form.get('Message') ?? '' });
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>`
      + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
  });
  return {
    endpoint: server.endpoint,
    notifications,
    close: () => server.close(),
  };
}
