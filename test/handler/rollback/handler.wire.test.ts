import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  HandlerInstance,
  LocalAppConfig,
  LocalDynamo,
  LocalProton,
  startLocalAppConfig,
  startLocalProton,
} from '../../../local';
import compositeFixture from '../../fixtures/composite-alarm-state-change.json';
import { seedAppConfigDeployment } from '../../support/appconfig-deployment';
import { handlerEnv } from '../../support/handler-env';
import { TABLE, startLedger, targetItems } from '../../support/synthesized-ledger';
import { alarmEvent, appConfigTarget, protonTarget, ruleInput } from '../support';

// The bundled asset, in a worker like a Lambda execution environment, with
// the real SDK clients talking to local AppConfig, Proton and DynamoDB.
let appConfig: LocalAppConfig;
let proton: LocalProton;
let dynamo: LocalDynamo;
let instance: HandlerInstance;
/** The metric and composite alarm events, their state changed now. */
let metricEvent: Record<string, any>;
let compositeEvent: Record<string, any>;

beforeEach(async () => {
  // Services run on the real clock: the deployments started a minute ago.
  const started = Date.now() - 60_000;
  metricEvent = alarmEvent({ changedAt: Date.now() });
  compositeEvent = alarmEvent({ changedAt: Date.now(), base: compositeFixture });
  appConfig = await startLocalAppConfig();
  seedAppConfigDeployment(appConfig, 'abc1234', 'env5678', started);
  proton = await startLocalProton();
  proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: started }] });
  dynamo = await startLedger();
  instance = HandlerInstance.start({ env: handlerEnv({ appConfig: appConfig.endpoint, proton: proton.endpoint, dynamo: dynamo.endpoint }) });
});

afterEach(async () => {
  await instance.kill();
  await Promise.all([appConfig.close(), proton.close(), dynamo.close()]);
});

describe('bundled handler on the wire', () => {
  it('rolls back an in-progress AppConfig deployment and records it in the ledger', async () => {
    const invocation = await instance.invoke(ruleInput(appConfigTarget(), metricEvent), { awsRequestId: 'r-1' });

    expect(invocation.error).toBeUndefined();
    expect(invocation.result).toMatchObject({ outcome: 'ROLLED_BACK', stateBefore: 'DEPLOYING', stateAfter: 'ROLLED_BACK', deploymentNumber: 1 });
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('ROLLED_BACK');
    const stop = appConfig.requests.find((request) => request.operation === 'StopDeployment')!;
    expect(stop.headers['allow-revert']).toBe('true');

    // On the handler's own clock: the deployment claim leaves after the
    // event claim's answer, and the stop after the deployment claim's.
    const [eventClaim, deploymentClaim] = invocation.httpCalls.filter((call) => call.target === 'DynamoDB_20120810.PutItem');
    const stopCall = invocation.httpCalls.find((call) => call.method === 'DELETE')!;
    expect(stopCall).toMatchObject({ path: '/applications/abc1234/environments/env5678/deployments/1', status: 202 });
    expect(deploymentClaim.sentAt).toBeGreaterThanOrEqual(eventClaim.answeredAt!);
    expect(stopCall.sentAt).toBeGreaterThanOrEqual(deploymentClaim.answeredAt!);

    const item = await dynamo.client.send(new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: 'TARGET#Stack/Rollback/ConfigRollout' }, sk: { S: `EVENT#${metricEvent.time}#${metricEvent.id}` } },
    }));
    expect(item.Item).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, claimState: { S: 'RECORDED' }, deploymentNumber: { N: '1' } });
    expect(invocation.logs.some((line) => line.includes('"CloudWatchMetrics"'))).toBe(true);
  });

  it('records a redelivered event as DUPLICATE and stops once', async () => {
    await instance.invoke(ruleInput(appConfigTarget(), metricEvent), { awsRequestId: 'r-1' });
    const second = await instance.invoke(ruleInput(appConfigTarget(), metricEvent), { awsRequestId: 'r-2' });

    expect(second.result).toMatchObject({ outcome: 'DUPLICATE' });
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(1);
    const records = await targetItems(dynamo, appConfigTarget().name);
    expect(records.map((record) => record.outcome.S).sort()).toEqual(['DUPLICATE', 'ROLLED_BACK']);
  });

  it('records ALREADY_STOPPED for a second alarm of the same target', async () => {
    await instance.invoke(ruleInput(appConfigTarget(), metricEvent));
    const second = await instance.invoke(ruleInput(appConfigTarget(), compositeEvent));

    expect(second.result).toMatchObject({ outcome: 'ALREADY_STOPPED', stateBefore: 'ROLLED_BACK' });
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(1);
  });

  it('cancels an in-progress Proton environment deployment', async () => {
    const invocation = await instance.invoke(ruleInput(protonTarget(), metricEvent));

    expect(invocation.result).toMatchObject({ outcome: 'CANCEL_REQUESTED', stateBefore: 'IN_PROGRESS', stateAfter: 'CANCELLING' });
    expect(proton.requests.map((request) => request.operation)).toEqual(['GetEnvironment', 'CancelEnvironmentDeployment']);
  });

  it('records FAILED and throws when AppConfig keeps answering 500', async () => {
    appConfig.faults.add({ operation: 'StopDeployment', fault: 'serverError' });

    const invocation = await instance.invoke(ruleInput(appConfigTarget(), metricEvent));

    expect(invocation.ok).toBe(false);
    expect(invocation.error?.name).toBe('InternalServerException');
    // The SDK's standard retry mode makes three attempts.
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(3);
    expect(invocation.logs.some((line) => line.includes('"outcome":"FAILED"'))).toBe(true);
  });
});
