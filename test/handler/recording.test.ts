import { AppConfigClient, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { appConfigTarget, captureLogs, ruleInput, testHandler } from './support';
import { RollbackOutcome } from '../../src/private/contract';

const appConfig = mockClient(AppConfigClient);
const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
let logs: ReturnType<typeof captureLogs>;

const EVENT_CLAIM = '#claimState = :claimed';
const ACTION_CLAIM = '#eventId = :eventId OR';

/** The ledger refuses the conditional writes whose condition contains `condition`. */
function refuseClaims(condition: string) {
  dynamo.on(PutItemCommand).callsFake((input: { ConditionExpression?: string }) => {
    if (input.ConditionExpression?.includes(condition)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    return {};
  });
}

beforeEach(() => {
  appConfig.reset();
  dynamo.reset();
  sns.reset();
  dynamo.on(PutItemCommand).resolves({});
  appConfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 3, State: 'DEPLOYING' }] });
  appConfig.on(StopDeploymentCommand).resolves({ State: 'ROLLED_BACK' });
  logs = captureLogs();
});
afterEach(() => logs.restore());

function putItems() {
  return dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input);
}

describe('recording', () => {
  it('writes one ledger record with the decision, the alarm and the expiry', async () => {
    await testHandler({ retentionDays: 30 })(ruleInput(appConfigTarget()));

    const record = putItems().find((input) => input.Item?.claimState?.S === 'RECORDED')!;
    expect(record.TableName).toBe('ledger');
    expect(record.Item).toMatchObject({
      pk: { S: 'TARGET#Stack/Rollback/ConfigRollout' },
      sk: { S: 'EVENT#2026-11-20T14:03:10Z#5f4d4a62-7f1c-4f7e-9d8e-2b0f9a1c3e11' },
      outcome: { S: 'ROLLED_BACK' },
      alarmArn: { S: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate' },
      alarmName: { S: 'checkout-5xx-rate' },
      stateReason: { S: expect.stringContaining('Threshold Crossed') },
      stateTimestamp: { S: '2026-11-20T14:03:10.109+0000' },
      stateBefore: { S: 'DEPLOYING' },
      stateAfter: { S: 'ROLLED_BACK' },
      deploymentNumber: { N: '3' },
      apiCalls: { L: [{ S: 'appconfig:ListDeployments' }, { S: 'appconfig:StopDeployment' }] },
      claimState: { S: 'RECORDED' },
    });
    const expiresAt = Number(record.Item!.expiresAt.N);
    expect(expiresAt - Math.floor(Date.parse('2026-11-20T14:03:11Z') / 1000)).toBe(30 * 86_400);
  });

  it('logs the record as one JSON line and emits the outcome and latency metrics', async () => {
    await testHandler()(ruleInput(appConfigTarget()));

    const lines = logs.lines();
    const logged = lines.find((line) => line.message === 'rollback outcome')!;
    expect(logged).toMatchObject({ level: 'INFO', outcome: 'ROLLED_BACK', eventId: '5f4d4a62-7f1c-4f7e-9d8e-2b0f9a1c3e11' });
    const emf = lines.find((line) => line._aws !== undefined)!;
    expect(emf).toMatchObject({ Rollback: 'Stack/Rollback', Target: 'Stack/Rollback/ConfigRollout', Outcome: 'ROLLED_BACK', OutcomeCount: 1 });
    // The fixture's state changed at 14:03:10.109; the test clock says 14:03:11.000.
    expect(emf.AlarmToActionLatency).toBe(891);
    expect(JSON.stringify(emf._aws)).toContain('"Dimensions":[["Rollback","Outcome"],["Rollback","Target","Outcome"]]');
  });

  it('publishes the record to the notification topic with the outcome as a message attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await testHandler({ topicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks' })(ruleInput(appConfigTarget()));

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks',
      Subject: 'ROLLED_BACK: Stack/Rollback/ConfigRollout',
      MessageAttributes: expect.objectContaining({ outcome: { DataType: 'String', StringValue: 'ROLLED_BACK' } }),
    });
  });

  it('still rolls back when the ledger is down, logs the record, and throws so the event is retried', async () => {
    dynamo.on(PutItemCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

    await expect(testHandler()(ruleInput(appConfigTarget()))).rejects.toThrow(/ledger did not keep the ROLLED_BACK record/);

    expect(appConfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
    const logged = logs.lines().find((line) => line.message === 'rollback outcome');
    expect(logged).toMatchObject({ outcome: 'ROLLED_BACK', reason: expect.stringContaining('acted without a ledger claim') });
  });

  it('records a redelivered event as DUPLICATE and calls nothing', async () => {
    refuseClaims(EVENT_CLAIM);

    const record = await testHandler()(ruleInput(appConfigTarget()), { awsRequestId: 'req-2' });

    expect(record.outcome).toBe(RollbackOutcome.DUPLICATE);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
    const duplicate = putItems().find((input) => input.Item?.outcome?.S === 'DUPLICATE')!;
    expect(duplicate.Item!.sk.S).toBe('EVENT#2026-11-20T14:03:10Z#5f4d4a62-7f1c-4f7e-9d8e-2b0f9a1c3e11#DUPLICATE#req-2');
  });

  it('records ALREADY_STOPPED for a second alarm of the same deployment and makes no second stop', async () => {
    refuseClaims(ACTION_CLAIM);

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
    expect(record.reason).toMatch(/already claimed the stop of deployment 3/);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('claims the deployment before stopping it, keyed on the deployment number', async () => {
    await testHandler()(ruleInput(appConfigTarget()));

    const claim = putItems().find((input) => input.ConditionExpression?.includes(ACTION_CLAIM))!;
    expect(claim.Item).toMatchObject({ pk: { S: 'ACTION#appconfig#abc1234#env5678#3' }, intended: { S: 'ROLLED_BACK' } });
    const claimCall = dynamo.commandCalls(PutItemCommand).find((call) => call.args[0].input.ConditionExpression?.includes(ACTION_CLAIM))!;
    expect(claimCall.calledBefore(appConfig.commandCalls(StopDeploymentCommand)[0])).toBe(true);
  });

  it('keeps going when the notification fails, and says so in the log', async () => {
    sns.on(PublishCommand).rejects(new Error('topic gone'));

    const record = await testHandler({ topicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks' })(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'notification failed' }));
  });
});
