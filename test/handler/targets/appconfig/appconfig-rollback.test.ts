import {
  AppConfigClient,
  BadRequestException,
  GetDeploymentCommand,
  InternalServerException,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RollbackOutcome } from '../../../../src/contract';
import compositeEvent from '../../../fixtures/composite-alarm-state-change.json';
import { NOW, appConfigTarget, captureLogs, ruleInput, testHandler, mockActiveAlarms } from '../../support';

const appConfig = mockClient(AppConfigClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  appConfig.reset();
  dynamo.reset();
  cloudWatch.reset();
  mockActiveAlarms(cloudWatch);
  dynamo.on(PutItemCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => logs.restore());

/** The id of the metric alarm fixture's event. */
const EVENT_ID = '5f4d4a62-7f1c-4f7e-9d8e-2b0f9a1c3e11';

function latest(State: string, extra: Record<string, unknown> = {}) {
  appConfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 7, State: State as never, ...extra }] });
}

describe('AppConfig target', () => {
  it.each(['DEPLOYING', 'BAKING', 'VALIDATING'])('stops the in-progress deployment when the alarm enters ALARM (%s)', async (state) => {
    latest(state);
    appConfig.on(StopDeploymentCommand).resolves({ State: 'ROLLED_BACK' });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(record).toMatchObject({ stateBefore: state, stateAfter: 'ROLLED_BACK', deploymentNumber: 7, applicationId: 'abc1234', environmentId: 'env5678' });
    expect(record.apiCalls).toEqual(['appconfig:ListDeployments', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'appconfig:StopDeployment']);
    expect(appConfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
    // AllowRevert is what lets AppConfig stop a deployment in BAKING or VALIDATING.
    expect(appConfig).toHaveReceivedCommandWith(StopDeploymentCommand, {
      ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 7, AllowRevert: true,
    });
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, { ApplicationId: 'abc1234', EnvironmentId: 'env5678', MaxResults: 1 });
  });

  it('reverts a deployment that completed inside the revert window', async () => {
    latest('COMPLETE', { CompletedAt: new Date(NOW - 2 * 3600_000) });
    appConfig.on(StopDeploymentCommand).resolves({ State: 'REVERTED' });

    const record = await testHandler()(ruleInput(appConfigTarget({ revertCompletedWithinSeconds: 3 * 3600 })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.REVERTED, stateBefore: 'COMPLETE', stateAfter: 'REVERTED' });
    expect(appConfig).toHaveReceivedCommandWith(StopDeploymentCommand, { DeploymentNumber: 7, AllowRevert: true });
  });

  it('leaves a deployment that completed outside the revert window alone', async () => {
    latest('COMPLETE', { CompletedAt: new Date(NOW - 4 * 3600_000) });

    const record = await testHandler()(ruleInput(appConfigTarget({ revertCompletedWithinSeconds: 3 * 3600 })));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(record.reason).toMatch(/outside the 10800 s revert window/);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('does not revert a completed deployment when reverting is off', async () => {
    latest('COMPLETE', { CompletedAt: new Date(NOW - 60_000) });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it.each(['ROLLING_BACK', 'ROLLED_BACK', 'REVERTED'])('records ALREADY_STOPPED and calls nothing when the deployment is %s', async (state) => {
    latest(state);

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateBefore: state });
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('records NO_ACTIVE_DEPLOYMENT when the environment has never been deployed', async () => {
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('re-reads and classifies a stop refused because the deployment was already rolled back', async () => {
    latest('DEPLOYING');
    appConfig.on(StopDeploymentCommand).rejects(new BadRequestException({ message: 'deployment is not in progress', $metadata: {} }));
    appConfig.on(GetDeploymentCommand).resolves({ DeploymentNumber: 7, State: 'ROLLED_BACK' });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: 'ROLLED_BACK' });
    expect(record.apiCalls).toEqual(['appconfig:ListDeployments', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'appconfig:StopDeployment', 'appconfig:GetDeployment']);
  });

  it('re-reads and classifies a stop refused because the deployment completed first', async () => {
    latest('BAKING');
    appConfig.on(StopDeploymentCommand).rejects(new BadRequestException({ message: 'revert window passed', $metadata: {} }));
    appConfig.on(GetDeploymentCommand).resolves({ DeploymentNumber: 7, State: 'COMPLETE' });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(record.reason).toMatch(/deployment 7 was COMPLETE when the call reached it, and the service refused it: revert window passed/);
  });

  it('records FAILED, releases the claim and rethrows when AppConfig keeps failing', async () => {
    latest('DEPLOYING');
    appConfig.on(StopDeploymentCommand).rejects(new InternalServerException({ message: 'internal failure', $metadata: {} }));

    await expect(testHandler()(ruleInput(appConfigTarget()))).rejects.toThrow('internal failure');

    expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, { Key: { pk: { S: 'ACTION#appconfig#abc1234#env5678#7' }, sk: { S: 'ACTION' } } });
    const written = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item!);
    const record = written.find((item) => item.outcome !== undefined)!;
    expect(record.outcome).toEqual({ S: 'FAILED' });
    expect(record.error?.S).toMatch(/InternalServerException: internal failure/);
  });

  it('fails with a clear error when AppConfig answers with a deployment it cannot read', async () => {
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [{ State: 'DEPLOYING' }] });

    await expect(testHandler()(ruleInput(appConfigTarget()))).rejects.toThrow(/without DeploymentNumber or State/);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('stops the deployment for a composite alarm', async () => {
    latest('DEPLOYING');
    appConfig.on(StopDeploymentCommand).resolves({ State: 'ROLLED_BACK' });

    const record = await testHandler()(ruleInput(appConfigTarget(), compositeEvent));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ROLLED_BACK, alarmName: 'checkout-health' });
  });

  it('records DRY_RUN with the call it would have made, and calls nothing', async () => {
    latest('DEPLOYING');

    const record = await testHandler({ dryRun: true })(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.DRY_RUN);
    expect(record.wouldCall).toBe('appconfig:StopDeployment ApplicationId=abc1234 EnvironmentId=env5678 DeploymentNumber=7 AllowRevert=true');
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('completes the record of an earlier attempt that stopped the deployment and died before recording', async () => {
    latest('ROLLED_BACK');
    dynamo.on(GetItemCommand).resolves({ Item: { eventId: { S: EVENT_ID }, target: { S: appConfigTarget().name }, intended: { S: 'ROLLED_BACK' } } });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(record.reason).toMatch(/earlier delivery of this event made the call/);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('records ALREADY_STOPPED, not the claimed outcome, when the same event claimed the deployment for another target', async () => {
    latest('ROLLED_BACK');
    dynamo.on(GetItemCommand).resolves({ Item: { eventId: { S: EVENT_ID }, target: { S: 'Stack/Rollback/OtherTarget' }, intended: { S: 'ROLLED_BACK' } } });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: 'ROLLED_BACK' });
  });
});
