import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SNSClient } from '@aws-sdk/client-sns';

/** The SDK clients the handler uses; tests hand in their own. */
export interface Clients {
  readonly appConfig: () => AppConfigClient;
  readonly proton: () => ProtonClient;
  readonly dynamo: () => DynamoDBClient;
  readonly sns: () => SNSClient;
}

// The ledger must never hold up a rollback: a slow or unavailable table fails
// fast, and the decision still reaches the log and the dead-letter queue.
const LEDGER_CLIENT_OPTIONS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
};

/**
 * Clients are created once per execution environment, on first use, so a
 * function whose targets are all AppConfig never builds a Proton client.
 */
export function lazyClients(): Clients {
  return {
    appConfig: once(() => new AppConfigClient({})),
    proton: once(() => new ProtonClient({})),
    dynamo: once(() => new DynamoDBClient(LEDGER_CLIENT_OPTIONS)),
    sns: once(() => new SNSClient({})),
  };
}

function once<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}
