import { CancelEnvironmentDeploymentCommand, GetEnvironmentCommand, ProtonClient, UpdateEnvironmentCommand } from '@aws-sdk/client-proton';
import { MINUTE, protonClient } from './support';
import { LocalProton, startLocalProton } from '../../local';
import { ProtonStatusChangeEvent } from '../../local/proton-state';

let server: LocalProton;
let client: ProtonClient;
let events: ProtonStatusChangeEvent[];

beforeEach(async () => {
  events = [];
  server = await startLocalProton({ clock: () => Date.parse('2026-11-20T14:00:00Z'), deploymentDurationMs: 10 * MINUTE, cancelDurationMs: 30_000 });
  server.state.seed({ environments: [{ name: 'prod' }] });
  server.state.onStatusChange((event) => events.push(event));
  client = protonClient(server.endpoint);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const update = () => client.send(new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'CURRENT_VERSION' }));
const get = () => client.send(new GetEnvironmentCommand({ name: 'prod' }));

describe('local Proton environment status-change events', () => {
  it('sends an AWS Proton Environment Status Change event when an update starts', async () => {
    await update();

    expect(events).toEqual([{
      'version': '0',
      'id': expect.any(String),
      'detail-type': 'AWS Proton Environment Status Change',
      'source': 'aws.proton',
      'account': '123456789012',
      'time': '2026-11-20T14:00:00.000Z',
      'region': 'us-east-1',
      'resources': ['arn:aws:proton:us-east-1:123456789012:environment/prod'],
      'detail': { name: 'prod', status: 'IN_PROGRESS', previousStatus: 'SUCCEEDED' },
    }]);
  });

  it('sends SUCCEEDED with the time the update finished when the environment is next read', async () => {
    await update();
    server.state.advance(25 * MINUTE);
    await get();

    expect(events.map((e) => [e.detail.previousStatus, e.detail.status, e.time])).toEqual([
      ['SUCCEEDED', 'IN_PROGRESS', '2026-11-20T14:00:00.000Z'],
      ['IN_PROGRESS', 'SUCCEEDED', '2026-11-20T14:10:00.000Z'],
    ]);
  });

  it('sends CANCELLING then CANCELLED for a cancelled update', async () => {
    await update();
    server.state.advance(MINUTE);
    await client.send(new CancelEnvironmentDeploymentCommand({ environmentName: 'prod' }));
    server.state.advance(MINUTE);
    await get();

    expect(events.map((e) => e.detail.status)).toEqual(['IN_PROGRESS', 'CANCELLING', 'CANCELLED']);
    expect(events[2].time).toBe('2026-11-20T14:01:30.000Z');
  });

  it('sends nothing for a metadata-only update', async () => {
    await client.send(new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'NONE', description: 'owner: payments' }));

    expect(events).toEqual([]);
  });
});
