import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CancelEnvironmentDeploymentCommand,
  GetEnvironmentCommand,
  InternalServerException,
  ProtonClient,
  ValidationException,
} from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RollbackOutcome } from '../../../../src/contract';
import { captureLogs, protonTarget, ruleInput, testHandler, mockActiveAlarms } from '../../support';

const proton = mockClient(ProtonClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
let logs: ReturnType<typeof captureLogs>;

const environment = (deploymentStatus: string) => ({
  environment: {
    name: 'prod',
    arn: 'arn:aws:proton:us-east-1:123456789012:environment/prod',
    deploymentStatus: deploymentStatus as never,
    lastAttemptedDeploymentId: 'd-42',
    createdAt: new Date(),
    lastDeploymentAttemptedAt: new Date('2026-11-20T14:00:00Z'),
    lastDeploymentSucceededAt: new Date(),
    templateName: 'vpc',
    templateMajorVersion: '1',
    templateMinorVersion: '0',
  },
});

beforeEach(() => {
  proton.reset();
  dynamo.reset();
  cloudWatch.reset();
  mockActiveAlarms(cloudWatch);
  dynamo.on(PutItemCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('Proton environment target', () => {
  it('cancels the IN_PROGRESS deployment and records the status Proton returned', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment('IN_PROGRESS'));
    proton.on(CancelEnvironmentDeploymentCommand).resolves(environment('CANCELLING'));

    const record = await testHandler()(ruleInput(protonTarget()));

    expect(record).toMatchObject({
      outcome: RollbackOutcome.CANCEL_REQUESTED,
      stateBefore: 'IN_PROGRESS',
      stateAfter: 'CANCELLING',
      deploymentId: 'd-42',
      environmentName: 'prod',
    });
    expect(record.apiCalls).toEqual(['proton:GetEnvironment', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'proton:CancelEnvironmentDeployment']);
    expect(proton).toHaveReceivedCommandWith(CancelEnvironmentDeploymentCommand, { environmentName: 'prod' });
  });

  it.each(['SUCCEEDED', 'FAILED', 'DELETE_COMPLETE'])('records NO_ACTIVE_DEPLOYMENT with the current status when it is %s', async (status) => {
    proton.on(GetEnvironmentCommand).resolves(environment(status));

    const record = await testHandler()(ruleInput(protonTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, stateAfter: status });
    expect(proton).not.toHaveReceivedCommand(CancelEnvironmentDeploymentCommand);
  });

  it.each(['CANCELLING', 'CANCELLED'])('records ALREADY_STOPPED when the deployment is %s', async (status) => {
    proton.on(GetEnvironmentCommand).resolves(environment(status));

    const record = await testHandler()(ruleInput(protonTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
    expect(proton).not.toHaveReceivedCommand(CancelEnvironmentDeploymentCommand);
  });

  it('classifies a cancel refused because the update finished first', async () => {
    proton.on(GetEnvironmentCommand).resolvesOnce(environment('IN_PROGRESS')).resolves(environment('SUCCEEDED'));
    proton.on(CancelEnvironmentDeploymentCommand).rejects(new ValidationException({ message: 'no deployment in progress', $metadata: {} }));

    const record = await testHandler()(ruleInput(protonTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, stateAfter: 'SUCCEEDED' });
    expect(record.apiCalls).toEqual(['proton:GetEnvironment', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'proton:CancelEnvironmentDeployment', 'proton:GetEnvironment']);
  });

  it('records FAILED and rethrows when Proton keeps failing', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment('IN_PROGRESS'));
    proton.on(CancelEnvironmentDeploymentCommand).rejects(new InternalServerException({ message: 'boom', $metadata: {} }));

    await expect(testHandler()(ruleInput(protonTarget()))).rejects.toThrow('boom');
    const outcomes = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
    expect(outcomes).toEqual(['FAILED']);
  });

  it('records DRY_RUN and does not cancel', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment('IN_PROGRESS'));

    const record = await testHandler({ dryRun: true })(ruleInput(protonTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.DRY_RUN, wouldCall: 'proton:CancelEnvironmentDeployment environmentName=prod' });
    expect(proton).not.toHaveReceivedCommand(CancelEnvironmentDeploymentCommand);
  });
});
