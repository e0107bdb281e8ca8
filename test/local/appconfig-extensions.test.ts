import { AppConfigClient, GetDeploymentCommand, StartDeploymentCommand } from '@aws-sdk/client-appconfig';
import { APP, APPCONFIG_SEED, appConfigClient, ENV, MINUTE, sdkError } from './support';
import { ExtensionPayload, LocalAppConfig, LocalExtensionAction, startLocalAppConfig } from '../../local';
import tickFixture from '../fixtures/appconfig-tick-payload.json';

const ENV_ARN = `arn:aws:appconfig:us-east-1:123456789012:application/${APP}/environment/${ENV}`;

let server: LocalAppConfig;
let client: AppConfigClient;
let calls: { action: string; payload: ExtensionPayload }[];
/** What the stub extension answers; a function that throws is a failed invocation. */
let answer: (payload: ExtensionPayload) => unknown;

beforeEach(async () => {
  calls = [];
  answer = () => ({ Directive: 'CONTINUE', Description: 'no alarm fires' });
  server = await startLocalAppConfig({
    clock: () => Date.parse('2026-11-20T14:00:00Z'),
    invoker: async (action: LocalExtensionAction, payload: ExtensionPayload) => {
      calls.push({ action: action.name, payload });
      return answer(payload);
    },
  });
  server.state.seed(APPCONFIG_SEED);
  const extension = server.state.extensions.createExtension({
    name: 'alarm-state-check',
    actions: {
      PRE_START_DEPLOYMENT: [{ name: 'check-start', uri: 'arn:aws:lambda:us-east-1:123456789012:function:check' }],
      AT_DEPLOYMENT_TICK: [{ name: 'check-tick', uri: 'arn:aws:lambda:us-east-1:123456789012:function:check' }],
    },
    parameters: { Target: { required: true }, Alarms1: {} },
  });
  server.state.extensions.associate({ extensionIdentifier: extension.id, resourceArn: ENV_ARN, parameters: { Target: '{"name":"Checkout"}', Alarms1: '["a"]' } });
  client = appConfigClient(server.endpoint);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const start = () => client.send(new StartDeploymentCommand({
  ApplicationId: APP,
  EnvironmentId: ENV,
  DeploymentStrategyId: 'lin25',
  ConfigurationProfileId: 'prof123',
  ConfigurationVersion: '7',
  Description: 'Raise the cart limit',
}));
const get = (n: number) => client.send(new GetDeploymentCommand({ ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: n }));

describe('local AppConfig extensions', () => {
  it('invokes PRE_START_DEPLOYMENT with the payload fields of the extension payload reference and the association parameters', async () => {
    await start();

    expect(calls).toHaveLength(1);
    const { payload } = calls[0];
    expect(calls[0].action).toBe('check-start');
    expect(payload).toMatchObject({
      Type: 'PreStartDeployment',
      Application: { Id: APP },
      Environment: { Id: ENV },
      ConfigurationProfile: { Id: 'prof123' },
      DeploymentNumber: 1,
      ConfigurationVersion: '7',
      Parameters: { Target: '{"name":"Checkout"}', Alarms1: '["a"]' },
    });
    expect(Object.keys(payload).sort()).toEqual(Object.keys(tickFixture).sort());
  });

  it('refuses StartDeployment with BadRequestException when the PRE_START_DEPLOYMENT action fails, and gives the deployment no number', async () => {
    answer = () => {
      throw new Error('alarm checkout-5xx is in ALARM');
    };

    const error = await sdkError(start());

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('alarm checkout-5xx is in ALARM');
    expect(server.state.listDeployments(APP, ENV)).toHaveLength(0);
    expect(server.state.invocations.map((i) => i.decision)).toEqual(['REFUSED']);
  });

  it('invokes AT_DEPLOYMENT_TICK once per tick interval through the rollout and its bake, then stops at COMPLETE', async () => {
    await start();
    server.state.advance(30 * MINUTE);

    await get(1);

    const ticks = calls.filter((c) => c.payload.Type === 'AtDeploymentTick');
    // 10 minutes of rollout and 5 of bake: ticks at minutes 1..14 (minute 15 is COMPLETE).
    expect(ticks).toHaveLength(14);
    expect(ticks.every((c) => c.payload.DeploymentNumber === 1 && c.action === 'check-tick')).toBe(true);
    expect((await get(1)).State).toBe('COMPLETE');
  });

  it('rolls the deployment back at the tick whose answer is the directive ROLL_BACK', async () => {
    let tick = 0;
    answer = (payload) => (payload.Type === 'AtDeploymentTick' && ++tick === 3
      ? { Directive: 'ROLL_BACK', Description: 'alarm fires' } : { Directive: 'CONTINUE' });
    await start();
    server.state.advance(20 * MINUTE);

    const deployment = await get(1);

    expect(deployment.State).toBe('ROLLED_BACK');
    expect(deployment.EventLog![0]).toMatchObject({ EventType: 'ROLLBACK_COMPLETED', TriggeredBy: 'APPCONFIG' });
    expect(deployment.EventLog!.find((e) => e.EventType === 'ROLLBACK_STARTED')!.OccurredAt)
      .toEqual(new Date(Date.parse('2026-11-20T14:03:00Z')));
    expect(calls.filter((c) => c.payload.Type === 'AtDeploymentTick')).toHaveLength(3);
  });

  it('rolls the deployment back when the tick invocation fails', async () => {
    answer = (payload) => {
      if (payload.Type === 'AtDeploymentTick') throw new Error('Task timed out after 10.00 seconds');
      return undefined;
    };
    await start();
    server.state.advance(MINUTE);

    expect((await get(1)).State).toBe('ROLLED_BACK');
    expect(server.state.invocations.at(-1)).toMatchObject({ decision: 'ROLL_BACK', error: 'Task timed out after 10.00 seconds' });
  });

  it('makes a new deployment possible after a tick rolled the last one back', async () => {
    answer = (payload) => (payload.Type === 'AtDeploymentTick' ? { Directive: 'ROLL_BACK' } : undefined);
    await start();
    server.state.advance(MINUTE);

    const second = await start();

    expect(second.DeploymentNumber).toBe(2);
    expect((await get(1)).State).toBe('ROLLED_BACK');
  });

  it('gives a seeded deployment no ticks from before it was seeded, only the ones due from then on', async () => {
    server.state.seed({ deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: server.state.now() - 5.5 * MINUTE }] });
    await server.state.runDueTicks();
    expect(calls).toHaveLength(0);

    server.state.advance(MINUTE);
    await server.state.runDueTicks();

    expect(calls.map((c) => c.payload.Type)).toEqual(['AtDeploymentTick']);
  });

  it('runs the ticks of several environments in the order of their times', async () => {
    server.state.seed({ applications: [{ id: 'other12', environments: [{ id: 'envaaaa' }] }] });
    server.state.extensions.associate({
      extensionIdentifier: 'alarm-state-check',
      resourceArn: 'arn:aws:appconfig:us-east-1:123456789012:application/other12/environment/envaaaa',
      parameters: { Target: '{"name":"Other"}' },
    });
    await start();
    server.state.advance(30_000);
    await server.state.startDeployment('other12', 'envaaaa', { deploymentStrategyId: 'lin25', configurationProfileId: 'prof1', configurationVersion: '1' });
    server.state.advance(2 * MINUTE);
    await server.state.runDueTicks();

    const ticks = server.state.invocations.filter((i) => i.actionPoint === 'AT_DEPLOYMENT_TICK');
    expect(ticks.map((i) => i.environmentId)).toEqual([ENV, 'envaaaa', ENV, 'envaaaa']);
    expect(ticks.map((i) => i.at)).toEqual([...ticks.map((i) => i.at)].sort((a, b) => a - b));
  });

  it('invokes nothing for an environment without an association', async () => {
    server.state.seed({ applications: [{ id: 'other12', environments: [{ id: 'envaaaa' }] }] });
    await client.send(new StartDeploymentCommand({
      ApplicationId: 'other12', EnvironmentId: 'envaaaa', DeploymentStrategyId: 'lin25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '1',
    }));
    server.state.advance(20 * MINUTE);
    await server.state.runDueTicks();

    expect(calls).toHaveLength(0);
  });

  it('refuses an association with an undeclared parameter, without a required one, or a second one on the same resource', () => {
    const [extension] = server.state.extensions.listExtensions();
    expect(() => server.state.extensions.associate({ extensionIdentifier: extension.id, resourceArn: `${ENV_ARN}x`, parameters: { Target: '{}', Alarms7: '[]' } }))
      .toThrow(/Alarms7 are not declared by extension alarm-state-check/);
    expect(() => server.state.extensions.associate({ extensionIdentifier: extension.id, resourceArn: `${ENV_ARN}x` }))
      .toThrow(/requires parameter\(s\) Target/);
    expect(() => server.state.extensions.associate({ extensionIdentifier: extension.id, resourceArn: ENV_ARN, parameters: { Target: '{}' } }))
      .toThrow(/already associated/);
  });

  it('rolls back at every tick when no invoker is set, as a missing function would', async () => {
    const bare = await startLocalAppConfig({ clock: () => Date.parse('2026-11-20T14:00:00Z'), tickIntervalMs: 30_000 });
    try {
      bare.state.seed(APPCONFIG_SEED);
      const extension = bare.state.extensions.createExtension({ name: 'x', actions: { AT_DEPLOYMENT_TICK: [{ name: 't', uri: 'arn:fn' }] } });
      bare.state.extensions.associate({ extensionIdentifier: extension.arn, resourceArn: ENV_ARN });
      await bare.state.startDeployment(APP, ENV, { deploymentStrategyId: 'lin25', configurationProfileId: 'prof1', configurationVersion: '1' });
      bare.state.advance(30_000);
      await bare.state.runDueTicks();

      expect(bare.state.getDeployment(APP, ENV, 1).state).toBe('ROLLED_BACK');
      expect(bare.state.invocations[0].error).toMatch(/no function answers arn:fn/);
    } finally {
      await bare.close();
    }
  });
});
