import { execFile } from 'child_process';
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
    { id: 'lin25', deploymentDurationInMinutes: 10, growthFactor: 25, growthType: 'LINEAR' as const, finalBakeTimeInMinutes: 5 },
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

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the AWS CLI against a local endpoint, asynchronously, so the
 * in-process servers keep answering. The CLI (botocore, Python) is a client
 * independent of the JavaScript SDK.
 */
export function aws(endpoint: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile('aws', [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 30_000,
    }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('The AWS CLI (`aws`) is not on the PATH. These tests need it as an independent client; install it (CI installs Debian\'s awscli package).'));
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

export const json = (result: CliResult) => {
  if (result.code !== 0) throw new Error(`aws exited with ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};
