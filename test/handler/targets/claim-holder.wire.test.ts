import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  HandlerInstance,
  Invocation,
  LocalAppConfig,
  LocalDynamo,
  LocalProton,
  startLocalAppConfig,
  startLocalProton,
} from '../../../local';
import { RollbackRecord } from '../../../src/contract';
import compositeFixture from '../../fixtures/composite-alarm-state-change.json';
import { seedAppConfigDeployment } from '../../support/appconfig-deployment';
import { handlerEnv } from '../../support/handler-env';
import { TABLE, startLedger } from '../../support/synthesized-ledger';
import { alarmEvent, appConfigTarget, protonTarget, ruleInput } from '../support';

// Two events race for one deployment's stop, on the bundled handler in two
// execution environments: the one that loses the claim records
// ALREADY_STOPPED only once a read shows the stop, and fails (for Lambda to
// retry) when the holder's stop fails.
const APP = 'abc1234';
const ENV = 'env5678';
const MINUTE = 60_000;

let appConfig: LocalAppConfig;
let proton: LocalProton;
let dynamo: LocalDynamo;
let holder: HandlerInstance;
let loser: HandlerInstance;

beforeEach(async () => {
  appConfig = await startLocalAppConfig();
  seedAppConfigDeployment(appConfig, APP, ENV, Date.now() - MINUTE);
  proton = await startLocalProton();
  proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: Date.now() - MINUTE }] });
  dynamo = await startLedger();
  const env = handlerEnv({ appConfig: appConfig.endpoint, proton: proton.endpoint, dynamo: dynamo.endpoint, claimLeaseSeconds: 30 });
  holder = HandlerInstance.start({ env });
  loser = HandlerInstance.start({ env });
});

afterEach(async () => {
  await Promise.all([holder.kill(), loser.kill()]);
  await Promise.all([appConfig.close(), proton.close(), dynamo.close()]);
});

const requestsOf = (service: LocalAppConfig | LocalProton, operation: string) =>
  service.requests.filter((request) => request.operation === operation);
const outcome = (invocation: Invocation) => (invocation.ok ? (invocation.result as RollbackRecord).outcome : `threw ${invocation.error?.name}`);
const loggedOutcomes = (invocation: Invocation) => invocation.logs
  .filter((line) => line.startsWith('{'))
  .map((line) => JSON.parse(line) as { message?: string; outcome?: string })
  .filter((line) => line.message === 'rollback outcome')
  .map((line) => line.outcome);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The holder's event first; the second event once the holder's call is on the wire. */
async function race(first: unknown, second: unknown, callArrived: () => boolean): Promise<[Invocation, Invocation]> {
  const holding = holder.invoke(first);
  await until(callArrived, 'the holder\'s call to arrive');
  return Promise.all([holding, loser.invoke(second)]);
}

async function claimItem(pk: string) {
  const answer = await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'ACTION' } }, ConsistentRead: true }));
  return answer.Item;
}

describe('an event that loses the claim to another alarm of the target', () => {
  it('records ALREADY_STOPPED once the holder\'s slow stop succeeded and a read shows the deployment stopped', async () => {
    appConfig.faults.add({ operation: 'StopDeployment', fault: 'latency', latencyMs: 1_000, times: 1 });
    const now = Date.now();

    const [first, second] = await race(
      ruleInput(appConfigTarget(), alarmEvent({ changedAt: now })),
      ruleInput(appConfigTarget(), alarmEvent({ changedAt: now, base: compositeFixture })),
      () => requestsOf(appConfig, 'StopDeployment').length === 1,
    );

    expect(outcome(first)).toBe('ROLLED_BACK');
    expect(second.result).toMatchObject({ outcome: 'ALREADY_STOPPED', stateBefore: 'DEPLOYING', stateAfter: 'ROLLED_BACK' });
    expect((second.result as RollbackRecord).apiCalls).toEqual(['appconfig:ListDeployments', 'appconfig:GetDeployment']);
    expect(requestsOf(appConfig, 'StopDeployment')).toHaveLength(1);
    expect(await claimItem(`ACTION#appconfig#${APP}#${ENV}#1`)).toMatchObject({ claimState: { S: 'DONE' }, target: { S: appConfigTarget().name } });
  });

  it('fails, never ALREADY_STOPPED, when the holder\'s stop fails past the SDK retries and the deployment keeps rolling out', async () => {
    appConfig.faults.add({ operation: 'StopDeployment', fault: 'serverError', latencyMs: 300 });
    const now = Date.now();

    const [first, second] = await race(
      ruleInput(appConfigTarget(), alarmEvent({ changedAt: now })),
      ruleInput(appConfigTarget(), alarmEvent({ changedAt: now, base: compositeFixture })),
      () => requestsOf(appConfig, 'StopDeployment').length === 1,
    );

    expect(first.error?.name).toBe('InternalServerException');
    expect(second.error?.name).toBe('HolderNotDoneError');
    expect(second.error?.message).toMatch(/gave the claim back without stopping it/);
    expect([...loggedOutcomes(first), ...loggedOutcomes(second)]).toEqual(['FAILED', 'FAILED']);
    // The holder's three SDK attempts, and none from the event that waited.
    expect(requestsOf(appConfig, 'StopDeployment')).toHaveLength(3);
    expect(appConfig.state.getDeployment(APP, ENV, 1).state).toBe('DEPLOYING');
    expect(await claimItem(`ACTION#appconfig#${APP}#${ENV}#1`)).toBeUndefined();
  });
});

describe('one alarm feeding two targets on the same environment', () => {
  const first = appConfigTarget({ name: 'Stack/Rollback/ConfigRollout' });
  const second = appConfigTarget({ name: 'Stack/Rollback/SameEnvironment' });

  it('stops once: the second target waits for the first target\'s claim instead of sharing it', async () => {
    appConfig.faults.add({ operation: 'StopDeployment', fault: 'latency', latencyMs: 1_000, times: 1 });
    const event = alarmEvent({ changedAt: Date.now() });

    const [one, other] = await race(ruleInput(first, event), ruleInput(second, event), () => requestsOf(appConfig, 'StopDeployment').length === 1);

    expect([outcome(one), outcome(other)]).toEqual(['ROLLED_BACK', 'ALREADY_STOPPED']);
    expect(requestsOf(appConfig, 'StopDeployment')).toHaveLength(1);
    expect(await claimItem(`ACTION#appconfig#${APP}#${ENV}#1`)).toMatchObject({ claimState: { S: 'DONE' }, target: { S: first.name } });
  });

  it('fails both when the stop fails, and the second target touches no claim it does not own', async () => {
    appConfig.faults.add({ operation: 'StopDeployment', fault: 'serverError', latencyMs: 300 });
    const event = alarmEvent({ changedAt: Date.now() });

    const [one, other] = await race(ruleInput(first, event), ruleInput(second, event), () => requestsOf(appConfig, 'StopDeployment').length === 1);

    expect([one.error?.name, other.error?.name]).toEqual(['InternalServerException', 'HolderNotDoneError']);
    expect(other.httpCalls.filter((call) => call.target === 'DynamoDB_20120810.DeleteItem')).toHaveLength(0);
    expect(requestsOf(appConfig, 'StopDeployment')).toHaveLength(3);
    expect(appConfig.state.getDeployment(APP, ENV, 1).state).toBe('DEPLOYING');
  });
});

describe('Proton: an event that loses the claim', () => {
  it('records ALREADY_STOPPED once the holder\'s cancel succeeded and a read shows it CANCELLING', async () => {
    proton.faults.add({ operation: 'CancelEnvironmentDeployment', fault: 'latency', latencyMs: 1_000, times: 1 });
    const now = Date.now();

    const [first, second] = await race(
      ruleInput(protonTarget(), alarmEvent({ changedAt: now })),
      ruleInput(protonTarget({ alarmArns: [compositeFixture.resources[0]] }), alarmEvent({ changedAt: now, base: compositeFixture })),
      () => requestsOf(proton, 'CancelEnvironmentDeployment').length === 1,
    );

    expect(outcome(first)).toBe('CANCEL_REQUESTED');
    expect(second.result).toMatchObject({ outcome: 'ALREADY_STOPPED', stateBefore: 'IN_PROGRESS', stateAfter: 'CANCELLING' });
    expect(requestsOf(proton, 'CancelEnvironmentDeployment')).toHaveLength(1);
  });

  it('fails, never ALREADY_STOPPED, when the holder\'s cancel fails past the SDK retries', async () => {
    proton.faults.add({ operation: 'CancelEnvironmentDeployment', fault: 'serverError', latencyMs: 300 });
    const now = Date.now();

    const [first, second] = await race(
      ruleInput(protonTarget(), alarmEvent({ changedAt: now })),
      ruleInput(protonTarget({ alarmArns: [compositeFixture.resources[0]] }), alarmEvent({ changedAt: now, base: compositeFixture })),
      () => requestsOf(proton, 'CancelEnvironmentDeployment').length === 1,
    );

    expect(first.error?.name).toBe('InternalServerException');
    expect(second.error?.name).toBe('HolderNotDoneError');
    expect([...loggedOutcomes(first), ...loggedOutcomes(second)]).toEqual(['FAILED', 'FAILED']);
    expect(requestsOf(proton, 'CancelEnvironmentDeployment')).toHaveLength(3);
    expect(proton.state.getEnvironment('prod').deploymentStatus).toBe('IN_PROGRESS');
  });
});
