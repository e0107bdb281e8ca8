import {
  AppConfigClient,
  CreateApplicationCommand,
  CreateDeploymentStrategyCommand,
  CreateEnvironmentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  paginateListDeployments,
  StartDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { APP, APPCONFIG_SEED, appConfigClient, ENV, HOUR, MINUTE, sdkError } from './support';
import { LocalAppConfig, startLocalAppConfig } from '../../local';
import { APPCONFIG_RULES } from '../../local/appconfig-server';

let server: LocalAppConfig;
let client: AppConfigClient;

beforeEach(async () => {
  server = await startLocalAppConfig({ clock: () => Date.parse('2026-11-20T14:00:00Z') });
  server.state.seed(APPCONFIG_SEED);
  client = appConfigClient(server.endpoint);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const start = (strategy = 'lin25') => client.send(new StartDeploymentCommand({
  ApplicationId: APP,
  EnvironmentId: ENV,
  DeploymentStrategyId: strategy,
  ConfigurationProfileId: 'prof123',
  ConfigurationVersion: '7',
}));
const get = (n: number) => client.send(new GetDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: n }));
const stop = (n: number, AllowRevert?: boolean) =>
  client.send(new StopDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: n, AllowRevert }));
/** Starts a deployment and lets it complete. */
async function completed(): Promise<number> {
  const { DeploymentNumber } = await start();
  server.state.advance(15 * MINUTE);
  return DeploymentNumber!;
}

describe('local AppConfig with the real AppConfigClient', () => {
  it('creates applications, environments and strategies over the API', async () => {
    const app = await client.send(new CreateApplicationCommand({ Name: 'shop' }));
    const env = await client.send(new CreateEnvironmentCommand({ ApplicationId: app.Id, Name: 'beta' }));
    const strategy = await client.send(new CreateDeploymentStrategyCommand({
      Name: 'fast', DeploymentDurationInMinutes: 2, GrowthFactor: 50, FinalBakeTimeInMinutes: 1,
    }));
    const deployment = await client.send(new StartDeploymentCommand({
      ApplicationId: app.Id, EnvironmentId: env.Id, DeploymentStrategyId: strategy.Id, ConfigurationProfileId: 'prof1', ConfigurationVersion: '1',
    }));

    expect(app.Id).toMatch(/^[a-z0-9]{7}$/);
    expect(env).toMatchObject({ ApplicationId: app.Id, Name: 'beta', State: 'READY_FOR_DEPLOYMENT' });
    expect(strategy).toMatchObject({ GrowthType: 'LINEAR', GrowthFactor: 50 });
    expect(deployment).toMatchObject({ DeploymentNumber: 1, State: 'DEPLOYING', $metadata: { httpStatusCode: 201 } });
  });

  it('starts deployment N+1 in DEPLOYING and refuses a second while one is in progress with ConflictException 409', async () => {
    server.state.seed({ deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: server.state.now() - HOUR }] });

    const started = await start();
    const error = await sdkError(start());

    expect(started).toMatchObject({ DeploymentNumber: 2, State: 'DEPLOYING', PercentageComplete: 0, ConfigurationVersion: '7' });
    expect(started.StartedAt).toEqual(new Date(server.state.now()));
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
  });

  it('lists deployments newest first, a page at a time', async () => {
    const t0 = server.state.now() - 10 * HOUR;
    server.state.seed({
      deployments: [0, 1, 2, 3, 4].map((i) => ({ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: t0 + i * HOUR })),
    });

    const first = await client.send(new ListDeploymentsCommand({ ApplicationId: APP, EnvironmentId: ENV, MaxResults: 2 }));
    const numbers: number[] = [];
    for await (const page of paginateListDeployments({ client, pageSize: 2 }, { ApplicationId: APP, EnvironmentId: ENV })) {
      numbers.push(...page.Items!.map((item) => item.DeploymentNumber!));
    }

    expect(first.Items!.map((item) => item.DeploymentNumber)).toEqual([5, 4]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(numbers).toEqual([5, 4, 3, 2, 1]);
    expect(server.requests.filter((r) => r.operation === 'ListDeployments').map((r) => r.params.MaxResults)).toEqual(['2', '2', '2', '2']);
  });

  it('grows LINEAR deployments step by step, bakes, then completes with CompletedAt', async () => {
    const { DeploymentNumber, StartedAt } = await start();
    const seen: [string?, number?][] = [];
    for (const minutes of [2, 3, 5, 7, 10, 14]) {
      server.state.advance(minutes * MINUTE - (server.state.now() - StartedAt!.getTime()));
      const d = await get(DeploymentNumber!);
      seen.push([d.State, d.PercentageComplete]);
    }
    const done = await get(DeploymentNumber!);
    server.state.advance(MINUTE);
    const complete = await get(DeploymentNumber!);

    expect(seen).toEqual([['DEPLOYING', 0], ['DEPLOYING', 25], ['DEPLOYING', 50], ['DEPLOYING', 50], ['BAKING', 100], ['BAKING', 100]]);
    expect(done.CompletedAt).toBeUndefined();
    expect(complete).toMatchObject({ State: 'COMPLETE', PercentageComplete: 100 });
    expect(complete.CompletedAt).toEqual(new Date(StartedAt!.getTime() + 15 * MINUTE));
  });

  it('grows EXPONENTIAL deployments by doubling', async () => {
    const { DeploymentNumber } = await start('expo10');
    // 10, 20, 40, 80, 100: five steps over 20 minutes, one every 4 minutes.
    const percentages: number[] = [];
    for (let step = 0; step < 5; step++) {
      server.state.advance(4 * MINUTE);
      percentages.push((await get(DeploymentNumber!)).PercentageComplete!);
    }

    expect(percentages).toEqual([10, 20, 40, 80, 100]);
    expect((await get(DeploymentNumber!)).State).toBe('COMPLETE');
  });

  it('rolls back a DEPLOYING deployment with or without Allow-Revert', async () => {
    const first = await start();
    const stopped = await stop(first.DeploymentNumber!);
    const second = await start();
    const reverted = await stop(second.DeploymentNumber!, true);

    expect(stopped).toMatchObject({ State: 'ROLLED_BACK', $metadata: { httpStatusCode: 202 } });
    expect(reverted.State).toBe('ROLLED_BACK');
    expect(server.requests.filter((r) => r.operation === 'StopDeployment').map((r) => r.headers['allow-revert'])).toEqual([undefined, 'true']);
  });

  it('needs Allow-Revert to stop a BAKING deployment', async () => {
    const { DeploymentNumber } = await start();
    server.state.advance(12 * MINUTE);

    const refused = await sdkError(stop(DeploymentNumber!));
    const stopped = await stop(DeploymentNumber!, true);

    expect(refused.name).toBe('BadRequestException');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(refused.message).toMatch(/BAKING/);
    expect(stopped).toMatchObject({ State: 'ROLLED_BACK', PercentageComplete: 100 });
  });

  it('reverts the latest COMPLETE deployment within 72 hours', async () => {
    const n = await completed();
    server.state.advance(71 * HOUR);

    expect((await stop(n, true)).State).toBe('REVERTED');
    expect((await get(n)).State).toBe('REVERTED');
  });

  it('refuses to revert a deployment that completed more than 72 hours ago', async () => {
    const n = await completed();
    server.state.advance(72 * HOUR + MINUTE);

    const error = await sdkError(stop(n, true));

    expect(error.name).toBe('BadRequestException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/72 hours/);
  });

  it('refuses to revert a COMPLETE deployment that is not the latest one', async () => {
    const n = await completed();
    await completed();

    expect((await sdkError(stop(n, true))).name).toBe('BadRequestException');
  });

  it('refuses to stop a COMPLETE deployment without Allow-Revert, and a ROLLED_BACK one at all', async () => {
    const n = await completed();
    const complete = await sdkError(stop(n));
    const m = (await start()).DeploymentNumber!;
    await stop(m);
    const again = await sdkError(stop(m, true));

    expect(complete.name).toBe('BadRequestException');
    expect(again.name).toBe('BadRequestException');
    expect(again.message).toMatch(/ROLLED_BACK/);
  });

  it.each([
    ['applicationId', 'My-App', ENV],
    ['environmentId', APP, 'production'],
  ])('answers BadRequestException 400 when %s breaks the model\'s Id pattern, before looking anything up', async (member, ApplicationId, EnvironmentId) => {
    const errors = await Promise.all([
      sdkError(client.send(new ListDeploymentsCommand({ ApplicationId, EnvironmentId }))),
      sdkError(client.send(new GetDeploymentCommand({ ApplicationId, EnvironmentId, DeploymentNumber: 1 }))),
      sdkError(client.send(new StopDeploymentCommand({ ApplicationId, EnvironmentId, DeploymentNumber: 1, AllowRevert: true }))),
    ]);

    for (const error of errors) {
      expect(error.name).toBe('BadRequestException');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(`at '${member}'`);
      expect(error.message).toContain(`Member must satisfy regular expression pattern: ${APPCONFIG_RULES.shapes.Id.pattern}`);
    }
  });

  it.each([
    ['application', 'nope123', ENV, 1],
    ['environment', APP, 'nope123', 1],
    ['deployment', APP, ENV, 99],
  ])('answers ResourceNotFoundException 404 for an unknown %s', async (_what, ApplicationId, EnvironmentId, DeploymentNumber) => {
    const errors = await Promise.all([
      sdkError(client.send(new GetDeploymentCommand({ ApplicationId, EnvironmentId, DeploymentNumber }))),
      sdkError(client.send(new StopDeploymentCommand({ ApplicationId, EnvironmentId, DeploymentNumber }))),
    ]);

    for (const error of errors) {
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });

  it('keeps an EventLog, newest first, naming who triggered each change', async () => {
    const { DeploymentNumber } = await start();
    server.state.advance(6 * MINUTE);
    const stopped = await stop(DeploymentNumber!);

    expect(stopped.EventLog!.map((e) => [e.EventType, e.TriggeredBy])).toEqual([
      ['ROLLBACK_COMPLETED', 'USER'],
      ['ROLLBACK_STARTED', 'USER'],
      ['PERCENTAGE_UPDATED', 'APPCONFIG'],
      ['PERCENTAGE_UPDATED', 'APPCONFIG'],
      ['DEPLOYMENT_STARTED', 'USER'],
    ]);
    expect(stopped.EventLog![2]).toMatchObject({ Description: 'Configuration available to 50.00% of clients' });
    expect(stopped.EventLog![0].OccurredAt).toEqual(new Date(server.state.now()));
  });

  it('seeds deployments rolled back by a CloudWatch alarm', async () => {
    const t0 = server.state.now() - HOUR;
    server.state.seed({
      deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: t0, stopped: { at: t0 + 4 * MINUTE, triggeredBy: 'CLOUDWATCH_ALARM' } }],
    });

    const rolledBack = await get(1);

    expect(rolledBack).toMatchObject({ State: 'ROLLED_BACK', PercentageComplete: 25 });
    expect(rolledBack.EventLog![0]).toMatchObject({ EventType: 'ROLLBACK_COMPLETED', TriggeredBy: 'CLOUDWATCH_ALARM' });
  });

  it('runs deployments faster than real time with timeScale', async () => {
    const fast = await startLocalAppConfig({ timeScale: 60_000 });
    fast.state.seed(APPCONFIG_SEED);
    const fastClient = appConfigClient(fast.endpoint);
    try {
      const { DeploymentNumber } = await fastClient.send(new StartDeploymentCommand({
        ApplicationId: APP, EnvironmentId: ENV, DeploymentStrategyId: 'lin25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '1',
      }));
      // 15 minutes of deployment and bake at 1 minute per real millisecond.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const d = await fastClient.send(new GetDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber }));

      expect(d.State).toBe('COMPLETE');
    } finally {
      fastClient.destroy();
      await fast.close();
    }
  });
});
