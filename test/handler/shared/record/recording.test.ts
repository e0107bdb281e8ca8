import { AppConfigClient, GetDeploymentCommand, InternalServerException, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readConfig } from '../../../../lambda/shared/config';
import { HandlerEnv, RollbackOutcome } from '../../../../src/contract';
import { NOW, alarmEvent, appConfigTarget, captureLogs, ruleInput, testHandler, mockActiveAlarms } from '../../support';

const appConfig = mockClient(AppConfigClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
let logs: ReturnType<typeof captureLogs>;

const EVENT_CLAIM = '#claimState = :claimed';
const ACTION_CLAIM = 'AND #target = :target) OR #claimedAt';

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
  cloudWatch.reset();
  mockActiveAlarms(cloudWatch);
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
      apiCalls: { L: [{ S: 'appconfig:ListDeployments' }, { S: 'cloudwatch:DescribeAlarms' }, { S: 'cloudwatch:ListAlarmMuteRules' }, { S: 'appconfig:StopDeployment' }] },
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

  it('records ALREADY_STOPPED for a second alarm once the holder is DONE and a read shows the deployment stopped', async () => {
    refuseClaims(ACTION_CLAIM);
    dynamo.on(GetItemCommand)
      .resolvesOnce({ Item: { claimState: { S: 'CLAIMED' }, eventId: { S: 'e-holder' }, target: { S: 'Stack/Rollback/ConfigRollout' } } })
      .resolves({ Item: { claimState: { S: 'DONE' }, eventId: { S: 'e-holder' }, target: { S: 'Stack/Rollback/ConfigRollout' } } });
    appConfig.on(GetDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'ROLLED_BACK' });

    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateBefore: 'DEPLOYING', stateAfter: 'ROLLED_BACK' });
    expect(record.reason).toMatch(/claimed the call on deployment 3, and a read shows it ROLLED_BACK/);
    expect(record.apiCalls).toEqual(['appconfig:ListDeployments', 'appconfig:GetDeployment']);
    expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 2);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('records FAILED and throws, never ALREADY_STOPPED, when the holder gave its claim back', async () => {
    refuseClaims(ACTION_CLAIM);
    dynamo.on(GetItemCommand).resolves({});

    await expect(testHandler()(ruleInput(appConfigTarget()))).rejects.toThrow(/gave the claim back without stopping it/);

    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
    expect(appConfig).not.toHaveReceivedCommand(GetDeploymentCommand);
    const records = putItems().filter((input) => input.Item?.outcome !== undefined).map((input) => input.Item!);
    expect(records.map((item) => item.outcome.S)).toEqual(['FAILED']);
    expect(records[0].reason.S).toMatch(/^another event holds the claim on the call, and the stop it was to make was not seen; Lambda retries/);
    expect(records[0].error.S).toMatch(/^HolderNotDoneError: /);
  });

  it('records FAILED when the holder is still at work when the wait ends', async () => {
    refuseClaims(ACTION_CLAIM);
    dynamo.on(GetItemCommand).resolves({ Item: { claimState: { S: 'CLAIMED' }, eventId: { S: 'e-holder' }, target: { S: 'Stack/Rollback/ConfigRollout' } } });

    // A 5 s lease leaves nothing to wait once the record's reserve is kept back: one look at the claim.
    const handling = testHandler({ claimLeaseSeconds: 5 })(ruleInput(appConfigTarget()));

    await expect(handling).rejects.toThrow(/held by event e-holder for Stack\/Rollback\/ConfigRollout\), and it was not seen stopped/);
    expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 1);
    expect(appConfig).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it('marks the claim DONE after the stop answered', async () => {
    await testHandler()(ruleInput(appConfigTarget()));

    const claims = putItems().filter((input) => input.Item?.pk?.S === 'ACTION#appconfig#abc1234#env5678#3');
    expect(claims.map((input) => input.Item?.claimState?.S)).toEqual(['CLAIMED', 'DONE']);
    const done = dynamo.commandCalls(PutItemCommand).find((call) => call.args[0].input.Item?.claimState?.S === 'DONE')!;
    expect(done.calledAfter(appConfig.commandCalls(StopDeploymentCommand)[0])).toBe(true);
    expect(done.args[0].input.ConditionExpression).toContain('#eventId = :eventId AND #target = :target');
  });

  it('claims the deployment before stopping it, keyed on the deployment number', async () => {
    await testHandler()(ruleInput(appConfigTarget()));

    const claim = putItems().find((input) => input.ConditionExpression?.includes(ACTION_CLAIM))!;
    expect(claim.Item).toMatchObject({ pk: { S: 'ACTION#appconfig#abc1234#env5678#3' }, intended: { S: 'ROLLED_BACK' } });
    const claimCall = dynamo.commandCalls(PutItemCommand).find((call) => call.args[0].input.ConditionExpression?.includes(ACTION_CLAIM))!;
    expect(claimCall.calledBefore(appConfig.commandCalls(StopDeploymentCommand)[0])).toBe(true);
  });

  it('records when the alarm changed state, and counts the latency from it', async () => {
    const record = await testHandler()(ruleInput(appConfigTarget()));

    expect(record).toMatchObject({ alarmTime: '2026-11-20T14:03:10.109Z', alarmTimeSource: 'detail.state.timestamp', alarmToActionMs: 891 });
  });

  it('falls back to the event time when the state timestamp is unreadable, and says so in the record', async () => {
    const event = alarmEvent();
    (event.detail as { state: Record<string, unknown> }).state.timestamp = 'yesterday';

    const record = await testHandler()(ruleInput(appConfigTarget(), event));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ROLLED_BACK, alarmTime: '2026-11-20T14:03:10.000Z', alarmTimeSource: 'time', alarmToActionMs: 1_000 });
  });

  it('records a latency of 0, never negative, when the state change lies ahead of the handler clock', async () => {
    const record = await testHandler({}, () => NOW - 60_000)(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(record.alarmToActionMs).toBe(0);
    const emf = logs.lines().find((line) => line._aws !== undefined)!;
    expect(emf.AlarmToActionLatency).toBe(0);
  });

  it('keeps the notification subject under 100 characters, as SNS requires', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const target = appConfigTarget({ name: `Stack/${'Nested/'.repeat(30)}ConfigRollout` });

    await testHandler({ topicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks' })(ruleInput(target));

    const subject = sns.commandCalls(PublishCommand)[0].args[0].input.Subject!;
    expect(subject).toHaveLength(99);
    expect(subject.startsWith('ROLLED_BACK: Stack/Nested/')).toBe(true);
  });

  it('keeps going when the notification fails, and says so in the log', async () => {
    sns.on(PublishCommand).rejects(new Error('topic gone'));

    const record = await testHandler({ topicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks' })(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'notification failed' }));
  });
});

describe('which outcomes reach the notification topic', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:rollbacks';
  beforeEach(() => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('publishes a rollback, an outcome a person acts on, by default', async () => {
    await testHandler({ topicArn })(ruleInput(appConfigTarget()));
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('records but does not publish NO_ACTIVE_DEPLOYMENT by default', async () => {
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });

    const record = await testHandler({ topicArn })(ruleInput(appConfigTarget()));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(putItems().some((input) => input.Item?.outcome?.S === 'NO_ACTIVE_DEPLOYMENT')).toBe(true);
  });

  it('publishes NO_ACTIVE_DEPLOYMENT when notifyOn lists it, and not a rollback it leaves out', async () => {
    const notifyOutcomes = [RollbackOutcome.NO_ACTIVE_DEPLOYMENT];
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    await testHandler({ topicArn, notifyOutcomes })(ruleInput(appConfigTarget()));
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({ outcome: { DataType: 'String', StringValue: 'NO_ACTIVE_DEPLOYMENT' } }),
    });

    sns.resetHistory();
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 3, State: 'DEPLOYING' }] });
    const record = await testHandler({ topicArn, notifyOutcomes })(ruleInput(appConfigTarget()));
    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });
});

describe('a FAILED event\'s notification', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:rollbacks';
  /** The ledger's notification claims, by key, each with the request that holds it; every other write succeeds. */
  let notices: Map<string, string>;
  beforeEach(() => {
    notices = new Map();
    dynamo.on(PutItemCommand).callsFake((input: { Item: Record<string, { S?: string }>; ConditionExpression?: string }) => {
      const key = `${input.Item.pk.S}|${input.Item.sk.S}`;
      if (input.Item.pk.S!.startsWith('NOTICE#')) {
        if (notices.has(key)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        notices.set(key, input.Item.requestId.S!);
      }
      return {};
    });
    type Delete = { Key: Record<string, { S: string }>; ExpressionAttributeValues?: Record<string, { S: string }> };
    dynamo.on(DeleteItemCommand).callsFake((input: Delete) => {
      const key = `${input.Key.pk.S}|${input.Key.sk.S}`;
      if (notices.get(key) === input.ExpressionAttributeValues?.[':requestId']?.S) notices.delete(key);
      return {};
    });
    appConfig.on(StopDeploymentCommand).rejects(new InternalServerException({ message: 'internal failure', $metadata: {} }));
  });

  /** One Lambda attempt of the same asynchronous invocation: same event, same request id. */
  const attempt = (handler = testHandler({ topicArn })) =>
    expect(handler(ruleInput(appConfigTarget()), { awsRequestId: 'req-1' })).rejects.toThrow('internal failure');

  it('publishes once over Lambda\'s three attempts, while every attempt records its FAILED', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    for (let n = 0; n < 3; n++) await attempt();

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'FAILED: Stack/Rollback/ConfigRollout' });
    expect(putItems().filter((input) => input.Item?.outcome?.S === 'FAILED')).toHaveLength(3);
    expect([...notices.keys()]).toEqual([
      'NOTICE#TARGET#Stack/Rollback/ConfigRollout|EVENT#2026-11-20T14:03:10Z#5f4d4a62-7f1c-4f7e-9d8e-2b0f9a1c3e11#FAILED',
    ]);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringMatching(/already published its FAILED notification/) }));
  });

  it('publishes once when the same event is delivered again under another request id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await attempt();
    await expect(testHandler({ topicArn })(ruleInput(appConfigTarget()), { awsRequestId: 'req-2' })).rejects.toThrow('internal failure');

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('gives the claim back when the publish fails, so the next attempt publishes', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('topic throttled')).resolves({ MessageId: 'm-2' });

    await attempt();
    expect(notices.size).toBe(0);
    await attempt();
    await attempt();

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, { ConditionExpression: '#requestId = :requestId' });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'notification failed' }));
  });

  it('publishes when the ledger cannot say whether an earlier attempt did', async () => {
    dynamo.on(PutItemCommand).callsFake((input: { Item: Record<string, { S?: string }> }) => {
      if (input.Item.pk.S!.startsWith('NOTICE#')) throw new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });
      return {};
    });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await attempt();
    await attempt();

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/could not say whether/) }));
  });

  it('publishes every other outcome without a claim', async () => {
    appConfig.on(StopDeploymentCommand).resolves({ State: 'ROLLED_BACK' });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await testHandler({ topicArn })(ruleInput(appConfigTarget()), { awsRequestId: 'req-1' });

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(notices.size).toBe(0);
  });
});

describe('the notification outcomes in the environment', () => {
  const env = (outcomes?: string) => ({
    [HandlerEnv.LEDGER_TABLE]: 'ledger',
    ...(outcomes === undefined ? {} : { [HandlerEnv.NOTIFY_OUTCOMES]: outcomes }),
  });

  it('reads the comma-separated outcome names', () => {
    expect(readConfig(env('FAILED,DRY_RUN')).notifyOutcomes).toEqual([RollbackOutcome.FAILED, RollbackOutcome.DRY_RUN]);
  });

  it('falls back to the outcomes a person acts on when the variable is absent', () => {
    expect(readConfig(env()).notifyOutcomes).toEqual([
      'ROLLED_BACK', 'REVERTED', 'CANCEL_REQUESTED', 'COMPLETED_BEFORE_STOP', 'FAILED', 'DEPLOYMENT_BLOCKED', 'DRY_RUN', 'ALARM_MISSING',
    ]);
  });

  it('fails at cold start on an unknown name, naming the variable and the valid names', () => {
    expect(() => readConfig(env('FAILED,STOPPED')))
      .toThrow(/ROLLBACK_NOTIFY_OUTCOMES is "FAILED,STOPPED"; "STOPPED" is not an outcome\. .*from: ROLLED_BACK, REVERTED/);
  });

  it('fails at cold start on an empty or repeated name', () => {
    expect(() => readConfig(env(''))).toThrow(/ROLLBACK_NOTIFY_OUTCOMES is ""; it has an empty name/);
    expect(() => readConfig(env('FAILED,FAILED'))).toThrow(/ROLLBACK_NOTIFY_OUTCOMES is "FAILED,FAILED"; it lists FAILED twice/);
  });
});
