import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { ProtonClient } from '@aws-sdk/client-proton';

/** Static credentials: the local services accept any signature. */
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export const appConfigClient = (endpoint: string, extra: Partial<ConstructorParameters<typeof AppConfigClient>[0]> = {}) =>
  new AppConfigClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...extra });

export const protonClient = (endpoint: string, extra: Partial<ConstructorParameters<typeof ProtonClient>[0]> = {}) =>
  new ProtonClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...extra });

export const APP = 'app1234';
export const ENV = 'env5678';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** One application with one environment, and a 10-minute linear strategy with 5 minutes of bake. */
export const APPCONFIG_SEED = {
  applications: [{ id: APP, name: 'checkout', environments: [{ id: ENV, name: 'prod' }] }],
  deploymentStrategies: [
    { id: 'linear25', deploymentDurationInMinutes: 10, growthFactor: 25, growthType: 'LINEAR' as const, finalBakeTimeInMinutes: 5 },
    { id: 'expo10', deploymentDurationInMinutes: 20, growthFactor: 10, growthType: 'EXPONENTIAL' as const, finalBakeTimeInMinutes: 0 },
  ],
};

/** Resolves with the SDK error a promise rejects with. */
export async function sdkError(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail');
}
