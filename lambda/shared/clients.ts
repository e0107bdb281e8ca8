import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { SNSClient } from '@aws-sdk/client-sns';
import { holdUntilAllowed } from './send-when-allowed';

/**
 * The SDK clients the handler uses; tests hand in their own. The ledger is
 * used by every event; the others are loaded on first use, so a cold start
 * only pays for the services the function really calls.
 */
export interface Clients {
  readonly dynamo: () => DynamoDBClient;
  readonly appConfig: () => Promise<AppConfigClient>;
  readonly proton: () => Promise<ProtonClient>;
  readonly sns: () => Promise<SNSClient>;
  readonly cloudWatch: () => Promise<CloudWatchClient>;
  readonly cloudFormation: () => Promise<CloudFormationClient>;
}

// Without throwOnRequestTimeout a request past its timeout only logs a
// warning and goes on waiting.
//
// The ledger must never hold up a rollback: a slow or unavailable table fails
// fast, and the decision still reaches the log and the dead-letter queue.
const LEDGER_CLIENT_OPTIONS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
};
// A stop whose answer is lost is retried by the SDK; the retry finds the
// deployment stopped and is classified, never repeated.
const SERVICE_CLIENT_OPTIONS = {
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
};

/**
 * Clients created once per execution environment, each on first use. The
 * lazy ones come from a small module per service that names only the client
 * class: a dynamic import of the SDK package itself would keep its whole
 * namespace, every command and schema, out of esbuild's tree shaking.
 */
export function lazyClients(): Clients {
  return {
    dynamo: once(() => holdUntilAllowed(new DynamoDBClient(LEDGER_CLIENT_OPTIONS))),
    appConfig: once(async () => holdUntilAllowed((await import('./appconfig-client')).newAppConfigClient(SERVICE_CLIENT_OPTIONS))),
    proton: once(async () => (await import('./proton-client')).newProtonClient(SERVICE_CLIENT_OPTIONS)),
    sns: once(async () => (await import('./record/sns-client')).newSnsClient(SERVICE_CLIENT_OPTIONS)),
    cloudWatch: once(async () => (await import('./cloudwatch/cloudwatch-client')).newCloudWatchClient(SERVICE_CLIENT_OPTIONS)),
    // Held until allowed, as AppConfig's: the cancel is built while the claim is out.
    cloudFormation: once(async () => holdUntilAllowed((await import('./cloudformation-client')).newCloudFormationClient(SERVICE_CLIENT_OPTIONS))),
  };
}

function once<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}
