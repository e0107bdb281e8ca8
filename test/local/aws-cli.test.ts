import { APP, APPCONFIG_SEED, aws, ENV, json, MINUTE } from './support';
import { LocalAppConfig, LocalProton, startLocalAppConfig, startLocalProton } from '../../local';

// The AWS CLI (botocore, Python) is a client independent of the JavaScript
// SDK: if it agrees with the local services too, the wire format is AWS's and
// not merely what one SDK tolerates.

const T0 = Date.parse('2026-11-20T14:03:11.250Z');

describe('local services with the AWS CLI', () => {
  let appConfig: LocalAppConfig;
  let proton: LocalProton;

  beforeAll(async () => {
    appConfig = await startLocalAppConfig();
    proton = await startLocalProton({ clock: () => T0, deploymentDurationMs: 10 * MINUTE });
  });

  afterAll(async () => {
    await appConfig.close();
    await proton.close();
  });

  const ids = ['--application-id', APP, '--environment-id', ENV];

  it('lists, reads and stops AppConfig deployments', async () => {
    const t0 = appConfig.state.now() - 2 * MINUTE;
    appConfig.state.seed({
      ...APPCONFIG_SEED,
      deployments: [
        { applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: t0 - 60 * MINUTE },
        { applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: t0 },
      ],
    });

    const listed = json(await aws(appConfig.endpoint, 'appconfig', 'list-deployments', ...ids));
    const got = json(await aws(appConfig.endpoint, 'appconfig', 'get-deployment', ...ids, '--deployment-number', '1'));
    const stopped = json(await aws(appConfig.endpoint, 'appconfig', 'stop-deployment', ...ids, '--deployment-number', '2', '--allow-revert'));

    expect(listed.Items.map((item: { DeploymentNumber: number; State: string }) => [item.DeploymentNumber, item.State]))
      .toEqual([[2, 'DEPLOYING'], [1, 'COMPLETE']]);
    expect(got).toMatchObject({ DeploymentNumber: 1, State: 'COMPLETE', PercentageComplete: 100 });
    expect(Date.parse(got.CompletedAt)).toBe(t0 - 45 * MINUTE);
    expect(stopped).toMatchObject({ DeploymentNumber: 2, State: 'ROLLED_BACK' });
    expect(appConfig.requests.at(-1)!.headers['allow-revert']).toBe('true');
  });

  it('reports AppConfig errors by name with a failing exit code', async () => {
    const result = await aws(appConfig.endpoint, 'appconfig', 'get-deployment', ...ids, '--deployment-number', '99');

    expect([254, 255]).toContain(result.code);
    expect(result.stderr).toMatch(/ResourceNotFoundException/);
    expect(result.stderr).toMatch(/GetDeployment/);
  });

  it('reads Proton environments and cancels their deployment', async () => {
    proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS' }] });

    const before = json(await aws(proton.endpoint, 'proton', 'get-environment', '--name', 'prod'));
    const cancelled = json(await aws(proton.endpoint, 'proton', 'cancel-environment-deployment', '--environment-name', 'prod'));

    expect(before.environment).toMatchObject({ name: 'prod', deploymentStatus: 'IN_PROGRESS' });
    // botocore prints awsJson timestamps as it received them: epoch seconds.
    expect(before.environment.lastDeploymentAttemptedAt).toBe(T0 / 1000);
    expect(cancelled.environment.deploymentStatus).toBe('CANCELLING');
  });

  it('reports the Proton error for an environment with nothing to cancel', async () => {
    proton.state.seed({ environments: [{ name: 'idle' }] });

    const result = await aws(proton.endpoint, 'proton', 'cancel-environment-deployment', '--environment-name', 'idle');

    expect([254, 255]).toContain(result.code);
    expect(result.stderr).toMatch(/ValidationException/);
  });
});
