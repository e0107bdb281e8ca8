import {
  CancelEnvironmentDeploymentCommand,
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentsCommand,
  ProtonClient,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-proton';
import { MINUTE, protonClient, sdkError } from './support';
import { LocalProton, startLocalProton } from '../../local';

let server: LocalProton;
let client: ProtonClient;

beforeEach(async () => {
  server = await startLocalProton({ clock: () => Date.parse('2026-11-20T14:00:00Z'), deploymentDurationMs: 10 * MINUTE, cancelDurationMs: 30_000 });
  server.state.seed({ environments: [{ name: 'prod' }, { name: 'beta' }] });
  client = protonClient(server.endpoint);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const get = async (name = 'prod') => (await client.send(new GetEnvironmentCommand({ name }))).environment!;
const update = (name = 'prod') => client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: 'proton: EnvironmentSpec' }));
const cancel = (environmentName = 'prod') => client.send(new CancelEnvironmentDeploymentCommand({ environmentName }));

describe('local Proton with the real ProtonClient', () => {
  it('starts an IN_PROGRESS deployment on UpdateEnvironment', async () => {
    const before = await get();
    const { environment } = await update();

    expect(before.deploymentStatus).toBe('SUCCEEDED');
    expect(environment).toMatchObject({ name: 'prod', deploymentStatus: 'IN_PROGRESS' });
    expect(environment!.lastAttemptedDeploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(environment!.lastDeploymentAttemptedAt).toEqual(new Date(server.state.now()));
    expect(environment!.createdAt).toBeInstanceOf(Date);
  });

  it('completes the update to SUCCEEDED after the deployment duration', async () => {
    const { environment } = await update();
    server.state.advance(10 * MINUTE);
    const after = await get();

    expect(after).toMatchObject({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: environment!.lastAttemptedDeploymentId });
    expect(after.lastDeploymentSucceededAt).toEqual(new Date(environment!.lastDeploymentAttemptedAt!.getTime() + 10 * MINUTE));
  });

  it('cancels an IN_PROGRESS update: CANCELLING, then CANCELLED, never SUCCEEDED', async () => {
    const { environment: started } = await update();
    server.state.advance(MINUTE);
    const { environment: cancelling } = await cancel();
    server.state.advance(30_000);
    const cancelled = await get();
    server.state.advance(20 * MINUTE);

    expect(cancelling!.deploymentStatus).toBe('CANCELLING');
    expect(cancelled.deploymentStatus).toBe('CANCELLED');
    expect((await get()).deploymentStatus).toBe('CANCELLED');
    expect(cancelled.lastSucceededDeploymentId).not.toBe(started!.lastAttemptedDeploymentId);
  });

  it('answers ValidationException (400) when there is no deployment in progress to cancel', async () => {
    const error = await sdkError(cancel());

    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/IN_PROGRESS/);
  });

  it('refuses a second update while one is in progress with ConflictException', async () => {
    await update();
    const error = await sdkError(update());

    expect(error.name).toBe('ConflictException');
  });

  it.each(['-prod', 'prod env', 'a'.repeat(101)])('answers ValidationException (400) for the environment name %j, which is not a Proton ResourceName', async (name) => {
    const errors = await Promise.all([sdkError(get(name)), sdkError(update(name)), sdkError(cancel(name))]);

    expect(errors.map((e) => e.name)).toEqual(['ValidationException', 'ValidationException', 'ValidationException']);
    expect(errors.map((e) => e.$metadata.httpStatusCode)).toEqual([400, 400, 400]);
    for (const error of errors) {
      expect(error.message).toMatch(/at '(name|environmentName)' failed to satisfy constraint: Member must (satisfy regular expression pattern|have length between 1 and 100)/);
    }
  });

  it('answers ResourceNotFoundException for an unknown environment', async () => {
    const errors = await Promise.all([sdkError(get('nope')), sdkError(update('nope')), sdkError(cancel('nope'))]);

    expect(errors.map((e) => e.name)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
  });

  it('creates environments with a first deployment, and lists them', async () => {
    const { environment } = await client.send(new CreateEnvironmentCommand({
      name: 'dev', spec: 'proton: EnvironmentSpec', templateName: 'vpc', templateMajorVersion: '2',
    }));
    const { environments } = await client.send(new ListEnvironmentsCommand({}));

    expect(environment).toMatchObject({ name: 'dev', deploymentStatus: 'IN_PROGRESS', templateName: 'vpc', templateMajorVersion: '2' });
    expect(environments!.map((e) => e.name)).toEqual(['beta', 'dev', 'prod']);
  });

  it('sends awsJson1_0 requests: X-Amz-Target and epoch-second timestamps', async () => {
    await get();
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AwsProton20200720.GetEnvironment', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ name: 'prod' }),
    });
    const body = await response.json() as { environment: { createdAt: unknown } };

    expect(server.requests[0]).toMatchObject({ operation: 'GetEnvironment', params: { name: 'prod' } });
    expect(server.requests[0].headers['x-amz-target']).toBe('AwsProton20200720.GetEnvironment');
    expect(body.environment.createdAt).toBe(server.state.now() / 1000);
  });
});
