import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  StackEvent,
  TokenAlreadyExistsException,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { cancelTokenOf } from '../../../../lambda/targets/cloudformation-stack/cancel-update-stack';
import { stackUpdateActionKey } from '../../../../lambda/targets/cloudformation-stack/cloudformation-stack-runner';
import { claimKeyOf } from '../../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { DEFAULT_NOTIFY_OUTCOMES, RollbackOutcome } from '../../../../src/contract';
import { captureLogs, mockActiveAlarms, ruleInput, stackTarget, testHandler } from '../../support';

const cfn = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
let logs: ReturnType<typeof captureLogs>;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Checkout/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
/** The fixture alarm's state change (test/fixtures/metric-alarm-state-change.json). */
const ALARM_AT = Date.parse('2026-11-20T14:03:10.109Z');
const MINUTE = 60_000;
const UPDATE_START = ALARM_AT - 2 * MINUTE;
const CLAIM = claimKeyOf(STACK_ID, UPDATE_START);

function stackEvent(status: string, at: number): StackEvent {
  return {
    StackId: STACK_ID,
    StackName: 'Checkout',
    EventId: `${status}-${at}`,
    LogicalResourceId: 'Checkout',
    PhysicalResourceId: STACK_ID,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as never,
    Timestamp: new Date(at),
  };
}

const stack = (status: string) => ({ Stacks: [{ StackId: STACK_ID, StackName: 'Checkout', StackStatus: status as never, CreationTime: new Date(0) }] });
/** The stack's own events, newest first, from its creation an hour before the alarm. */
const events = (...newest: StackEvent[]) => ({ StackEvents: [...newest, stackEvent('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE)] });

function validationError(message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message });
}

beforeEach(() => {
  cfn.reset();
  dynamo.reset();
  cloudWatch.reset();
  mockActiveAlarms(cloudWatch);
  dynamo.on(PutItemCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('CloudFormation stack target', () => {
  it('cancels the update in flight at the alarm, under the update\'s claim, with the claim\'s token', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).resolves({});

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({
      outcome: RollbackOutcome.CANCEL_REQUESTED,
      stateBefore: 'UPDATE_IN_PROGRESS',
      stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS',
      deploymentId: CLAIM,
      stackName: 'Checkout',
    });
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
    expect(cfn).toHaveReceivedCommandWith(CancelUpdateStackCommand, { StackName: STACK_ID, ClientRequestToken: cancelTokenOf(CLAIM) });
    expect(record.apiCalls).toEqual([
      'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
      'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'cloudformation:CancelUpdateStack',
    ]);
    // The claim is the one the bake gate takes for the same update.
    const claimed = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.pk?.S);
    expect(claimed).toContain(stackUpdateActionKey(CLAIM).pk);
  });

  it('records CANCEL_REQUESTED when CloudFormation already holds a cancel with the claim\'s token', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(new TokenAlreadyExistsException({ message: 'token exists', $metadata: {} }));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, stateAfter: 'cancel already requested' });
  });

  it('records COMPLETED_BEFORE_STOP, calls nothing, and notifies by default when the update completed after the alarm', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_COMPLETE', ALARM_AT + 700), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.COMPLETED_BEFORE_STOP, deploymentId: CLAIM });
    expect(record.reason).toMatch(/cannot cancel or revert it any more/);
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
    expect(DEFAULT_NOTIFY_OUTCOMES).toContain(RollbackOutcome.COMPLETED_BEFORE_STOP);
  });

  it('leaves an update that started after the alarm running (STARTED_AFTER_ALARM)', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', ALARM_AT + 10_000), stackEvent('UPDATE_COMPLETE', ALARM_AT - 30 * MINUTE)));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record.outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
  });

  it('records ALREADY_STOPPED for an update that is already rolling back', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + 500), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
  });

  it('records ALREADY_STOPPED, not FAILED, when the events read after an UPDATE_IN_PROGRESS status show another delivery\'s cancel already rolling the update back', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_IN_PROGRESS')).resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + 900), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({
      outcome: RollbackOutcome.ALREADY_STOPPED,
      stateBefore: 'UPDATE_ROLLBACK_IN_PROGRESS',
      stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS',
      deploymentId: CLAIM,
    });
    expect(record.apiCalls).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks']);
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
    const outcomes = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
    expect(outcomes).toEqual([RollbackOutcome.ALREADY_STOPPED]);
  });

  it('records COMPLETED_BEFORE_STOP, not FAILED, when the events read after an UPDATE_IN_PROGRESS status show the update completed', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_IN_PROGRESS')).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).resolves(events(
      stackEvent('UPDATE_COMPLETE', ALARM_AT + 1_200),
      stackEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT + 900),
      stackEvent('UPDATE_IN_PROGRESS', UPDATE_START),
    ));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.COMPLETED_BEFORE_STOP, deploymentId: CLAIM });
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
  });

  it('records ALREADY_STOPPED when a refused cancel\'s re-read meets the same race: UPDATE_IN_PROGRESS, then events already rolling back', async () => {
    cfn.on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand)
      .resolvesOnce(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)))
      .resolves(events(stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + 900), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(validationError('CancelUpdateStack cannot be called from current stack status'));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(record.apiCalls.slice(-4)).toEqual([
      'cloudformation:CancelUpdateStack', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks',
    ]);
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
  });

  it('still records FAILED, for a retry, when the cancel is denied', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(new CloudFormationServiceException({
      name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'User is not authorized to perform: cloudformation:CancelUpdateStack',
    }));

    await expect(testHandler()(ruleInput(stackTarget()))).rejects.toThrow('not authorized');
    const outcomes = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
    expect(outcomes).toEqual([RollbackOutcome.FAILED]);
  });

  it('still records FAILED, for a retry, when the events cannot be read', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).rejects(new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }));

    await expect(testHandler()(ruleInput(stackTarget()))).rejects.toThrow('Rate exceeded');
    const outcomes = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
    expect(outcomes).toEqual([RollbackOutcome.FAILED]);
  });

  it('reads a refused cancel again, whatever its wording, and records ALREADY_STOPPED when the stack rolls back', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_IN_PROGRESS')).resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand)
      .resolvesOnce(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)))
      .resolves(events(stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + 900), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(validationError('a refusal in words no document gives'));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(record.apiCalls.slice(-3)).toEqual(['cloudformation:CancelUpdateStack', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents']);
  });

  it('records COMPLETED_BEFORE_STOP when a refused cancel finds the update completed', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_IN_PROGRESS')).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand)
      .resolvesOnce(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)))
      .resolves(events(stackEvent('UPDATE_COMPLETE', ALARM_AT + 900), stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(validationError('CancelUpdateStack cannot be called from current stack status'));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.COMPLETED_BEFORE_STOP, stateAfter: 'UPDATE_COMPLETE' });
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
  });

  it('fails the event for a retry, recording FAILED, when a refused cancel finds the update still in progress', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));
    cfn.on(CancelUpdateStackCommand).rejects(validationError('Rate of requests exceeded for this stack'));

    await expect(testHandler()(ruleInput(stackTarget()))).rejects.toThrow('Rate of requests exceeded');
    const outcomes = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
    expect(outcomes).toEqual(['FAILED']);
  });

  it('records NO_ACTIVE_DEPLOYMENT when a refused cancel finds a newer update than the one claimed', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand)
      .resolvesOnce(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)))
      .resolves(events(
        stackEvent('UPDATE_IN_PROGRESS', ALARM_AT + 5_000),
        stackEvent('UPDATE_COMPLETE', ALARM_AT + 1_000),
        stackEvent('UPDATE_IN_PROGRESS', UPDATE_START),
      ));
    cfn.on(CancelUpdateStackCommand).rejects(validationError('CancelUpdateStack cannot be called from current stack status'));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(record.stateAfter).toMatch(/^UPDATE_IN_PROGRESS \(a newer operation since /);
  });

  it('records DRY_RUN with the call it would make, and cancels nothing', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves(events(stackEvent('UPDATE_IN_PROGRESS', UPDATE_START)));

    const record = await testHandler({ dryRun: true })(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.DRY_RUN, wouldCall: `cloudformation:CancelUpdateStack StackName=${STACK_ID}` });
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
  });

  it('records NO_ACTIVE_DEPLOYMENT for a stack that does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(validationError('Stack with id Checkout does not exist'));

    const record = await testHandler()(ruleInput(stackTarget()));

    expect(record).toMatchObject({ outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, stateBefore: 'DOES_NOT_EXIST' });
  });

  it('rejects a rule input whose stack name is neither a name nor a stack ID, and calls nothing', async () => {
    const record = await testHandler()(ruleInput(stackTarget({ stackName: '1-not a stack' })));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(/target\.stackName is "1-not a stack", not a stack name/);
    expect(cfn).not.toHaveReceivedAnyCommand();
  });
});
