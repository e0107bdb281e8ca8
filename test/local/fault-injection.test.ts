import { GetDeploymentCommand, ListDeploymentsCommand, StartDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { GetEnvironmentCommand } from '@aws-sdk/client-proton';
import { APP, APPCONFIG_SEED, appConfigClient, ENV, protonClient, sdkError } from './support';
import { FaultInjector, startLocalAppConfig, startLocalProton } from '../../local';

const list = new ListDeploymentsCommand({ ApplicationId: APP, EnvironmentId: ENV });

async function appConfig(...rules: Parameters<FaultInjector['add']>[0][]) {
  const server = await startLocalAppConfig({ faults: rules });
  server.state.seed(APPCONFIG_SEED);
  return server;
}

describe('fault injection', () => {
  it('throttles AppConfig with 429 ThrottlingException, which the SDK retries through', async () => {
    const server = await appConfig({ operation: 'ListDeployments', fault: 'throttle', times: 2 });
    const client = appConfigClient(server.endpoint, { retryStrategy: undefined });
    try {
      const result = await client.send(list);

      expect(result.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
      expect(server.requests.map((r) => [r.status, r.error, r.fault?.kind])).toEqual([
        [429, 'ThrottlingException', 'throttle'],
        [429, 'ThrottlingException', 'throttle'],
        [200, undefined, undefined],
      ]);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('surfaces the throttling error once the SDK runs out of attempts', async () => {
    const server = await appConfig({ operation: '*', fault: 'throttle' });
    const client = appConfigClient(server.endpoint, { maxAttempts: 2 });
    try {
      const error = await sdkError(client.send(list));

      expect(error.name).toBe('ThrottlingException');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 429, attempts: 2 });
      expect(server.requests).toHaveLength(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('throttles Proton with its modeled ThrottlingException (400), retried by the SDK', async () => {
    const server = await startLocalProton({ faults: [{ operation: 'GetEnvironment', fault: 'throttle', times: 1 }] });
    server.state.seed({ environments: [{ name: 'prod' }] });
    const client = protonClient(server.endpoint, { maxAttempts: 1 });
    const retrying = protonClient(server.endpoint);
    try {
      const error = await sdkError(client.send(new GetEnvironmentCommand({ name: 'prod' })));
      server.faults.add({ operation: 'GetEnvironment', fault: 'throttle', times: 1 });
      const result = await retrying.send(new GetEnvironmentCommand({ name: 'prod' }));

      expect(error.name).toBe('ThrottlingException');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(result.$metadata.attempts).toBe(2);
      expect(server.requests).toHaveLength(3);
    } finally {
      client.destroy();
      retrying.destroy();
      await server.close();
    }
  });

  it('answers 500 InternalServerException, retried by the SDK', async () => {
    const server = await appConfig({ operation: 'ListDeployments', fault: 'serverError', times: 1 });
    const client = appConfigClient(server.endpoint, { maxAttempts: 1 });
    try {
      const error = await sdkError(client.send(list));
      server.faults.add({ operation: 'ListDeployments', fault: 'serverError', times: 1 });
      const retried = await appConfigClient(server.endpoint).send(list);

      expect(error.name).toBe('InternalServerException');
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(retried.$metadata.attempts).toBe(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('drops connections without an answer', async () => {
    const server = await appConfig({ operation: 'ListDeployments', fault: 'dropConnection', times: 1 });
    const client = appConfigClient(server.endpoint, { maxAttempts: 1 });
    try {
      const error = await sdkError(client.send(list));
      const next = await client.send(list);

      expect(error.message).toMatch(/socket hang up/);
      expect(server.requests[0].fault).toMatchObject({ kind: 'dropConnection', afterApply: false });
      expect(server.requests[0].status).toBeUndefined();
      expect(next.Items).toEqual([]);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('adds latency', async () => {
    const server = await appConfig({ operation: '*', fault: 'latency', latencyMs: 150 });
    const client = appConfigClient(server.endpoint);
    try {
      const started = Date.now();
      await client.send(list);

      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(server.requests[0].fault).toEqual({ kind: 'latency', afterApply: false, latencyMs: 150 });
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('applies a stop, then times the caller out: the retry finds the deployment already ROLLED_BACK', async () => {
    const server = await appConfig();
    const client = appConfigClient(server.endpoint, { maxAttempts: 1, requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true } });
    try {
      const { DeploymentNumber } = await client.send(new StartDeploymentCommand({
        ApplicationId: APP, EnvironmentId: ENV, DeploymentStrategyId: 'lin25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '1',
      }));
      server.faults.add({ operation: 'StopDeployment', fault: 'latency', afterApply: true, latencyMs: 5_000, times: 1 });
      const stop = new StopDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber });

      const timedOut = await sdkError(client.send(stop));
      const retried = await sdkError(client.send(stop));
      const deployment = await client.send(new GetDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber }));

      expect(timedOut.name).toBe('TimeoutError');
      expect(retried.name).toBe('BadRequestException');
      expect(deployment.State).toBe('ROLLED_BACK');
      expect(server.requests.filter((r) => r.operation === 'StopDeployment')).toHaveLength(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('applies a stop, then drops the connection', async () => {
    const server = await appConfig();
    server.state.seed({ deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25' }] });
    server.faults.add({ operation: 'StopDeployment', fault: 'dropConnection', afterApply: true, times: 1 });
    const client = appConfigClient(server.endpoint, { maxAttempts: 1 });
    try {
      const error = await sdkError(client.send(new StopDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 1 })));

      expect(error.message).toMatch(/socket hang up/);
      expect(server.state.getDeployment(APP, ENV, 1).state).toBe('ROLLED_BACK');
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('affects a request with the rule\'s probability, drawn from the given random source', () => {
    const draws = [0.1, 0.9, 0.2, 0.7];
    const faults = new FaultInjector([{ operation: 'X', fault: 'throttle', probability: 0.5 }], () => draws.shift()!);

    expect([1, 2, 3, 4].map(() => faults.pick('X')?.kind)).toEqual(['throttle', undefined, 'throttle', undefined]);
    expect(faults.pick('Y')).toBeUndefined();
  });
});
