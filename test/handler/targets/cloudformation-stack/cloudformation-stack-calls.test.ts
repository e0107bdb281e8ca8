import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  StackEvent,
  TokenAlreadyExistsException,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CallTrace } from '../../../../lambda/shared/call-trace';
import { UnexpectedAnswerError } from '../../../../lambda/shared/errors';
import { CANCEL_TOKEN_PREFIX, cancelTokenOf, cancelUpdateStack } from '../../../../lambda/targets/cloudformation-stack/cancel-update-stack';
import { claimKeyOf, decideStackAction, StackUpdate } from '../../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { findUpdateInFlight } from '../../../../lambda/targets/cloudformation-stack/find-update-in-flight';
import { RollbackOutcome } from '../../../../src/contract';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'us-east-1' });

const ROOT_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
const CHILD_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web-Api-1ABC/77aa0000-0f1e-11ef-9a31-0a1b2c3d4e5f';
const ALARM_AT = Date.parse('2026-11-20T14:03:10.109Z');
const MINUTE = 60_000;

function stackEvent(status: string, at: number, overrides: Partial<StackEvent> = {}): StackEvent {
  return {
    StackId: ROOT_ID,
    StackName: 'web',
    EventId: `${status}-${at}`,
    LogicalResourceId: 'web',
    PhysicalResourceId: ROOT_ID,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as never,
    Timestamp: new Date(at),
    ...overrides,
  };
}

function resourceEvent(logicalId: string, status: string, at: number): StackEvent {
  return stackEvent(status, at, { LogicalResourceId: logicalId, PhysicalResourceId: `${logicalId}-physical`, ResourceType: 'AWS::Lambda::Function', EventId: `${logicalId}-${at}` });
}

function validationError(message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message });
}

beforeEach(() => cfn.reset());

describe('findUpdateInFlight', () => {
  it('reads the stack, then its events newest first, and stops at the first page that reaches back past the alarm', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand, { StackName: ROOT_ID, NextToken: undefined }).resolves({
      StackEvents: [resourceEvent('Fn', 'UPDATE_COMPLETE', ALARM_AT + MINUTE), resourceEvent('Fn', 'UPDATE_IN_PROGRESS', ALARM_AT)],
      NextToken: 'page-2',
    });
    cfn.on(DescribeStackEventsCommand, { StackName: ROOT_ID, NextToken: 'page-2' }).resolves({
      StackEvents: [stackEvent('UPDATE_IN_PROGRESS', ALARM_AT - 2 * MINUTE, { ClientRequestToken: 'exec-1' }), stackEvent('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE)],
      NextToken: 'page-3',
    });
    const trace = new CallTrace();

    const found = await findUpdateInFlight(client, trace, 'web', ALARM_AT, ALARM_AT + MINUTE);

    expect(found).toEqual({
      stack: { stackId: ROOT_ID, stackName: 'web', status: 'UPDATE_IN_PROGRESS', parentId: undefined, rootId: undefined },
      transitions: [
        { eventId: `UPDATE_IN_PROGRESS-${ALARM_AT - 2 * MINUTE}`, status: 'UPDATE_IN_PROGRESS', at: ALARM_AT - 2 * MINUTE, token: 'exec-1', operationId: undefined },
        { eventId: `CREATE_COMPLETE-${ALARM_AT - 60 * MINUTE}`, status: 'CREATE_COMPLETE', at: ALARM_AT - 60 * MINUTE, token: undefined, operationId: undefined },
      ],
      resolvedFrom: undefined,
    });
    expect(cfn).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 2);
    expect(cfn).not.toHaveReceivedCommandWith(DescribeStackEventsCommand, { NextToken: 'page-3' });
    expect(trace.list()).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackEvents']);
    expect(decideStackAction(found, ALARM_AT, ALARM_AT + MINUTE)).toMatchObject({ kind: 'CANCEL', update: { token: 'exec-1' } });
  });

  it('resolves a nested stack to its root and reads the root\'s events, leaving out the child\'s resource in it', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'web-Api-1ABC' }).resolves({
      Stacks: [{ StackId: CHILD_ID, StackName: 'web-Api-1ABC', StackStatus: 'UPDATE_IN_PROGRESS', ParentId: ROOT_ID, RootId: ROOT_ID, CreationTime: new Date(0) }],
    });
    cfn.on(DescribeStacksCommand, { StackName: ROOT_ID }).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        stackEvent('UPDATE_IN_PROGRESS', ALARM_AT - MINUTE, { LogicalResourceId: 'Api', PhysicalResourceId: CHILD_ID }),
        stackEvent('UPDATE_IN_PROGRESS', ALARM_AT - 2 * MINUTE),
        stackEvent('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE),
      ],
    });

    const found = await findUpdateInFlight(client, new CallTrace(), 'web-Api-1ABC', ALARM_AT, ALARM_AT);

    expect(found?.stack.stackId).toBe(ROOT_ID);
    expect(found?.resolvedFrom).toBe(CHILD_ID);
    expect(found?.transitions.map((t) => t.at)).toEqual([ALARM_AT - 2 * MINUTE, ALARM_AT - 60 * MINUTE]);
    expect(cfn).toHaveReceivedCommandWith(DescribeStackEventsCommand, { StackName: ROOT_ID });
  });

  it('reads the stack again after its events when they show the update it reported in progress already ended', async () => {
    // Another delivery's cancel lands between this one's DescribeStacks and its DescribeStackEvents.
    cfn.on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] })
      .resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + MINUTE), stackEvent('UPDATE_IN_PROGRESS', ALARM_AT - 2 * MINUTE), stackEvent('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE)],
    });
    const trace = new CallTrace();

    const found = await findUpdateInFlight(client, trace, 'web', ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(found?.stack.status).toBe('UPDATE_IN_PROGRESS');
    expect(found?.statusAfterEvents).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(cfn).toHaveReceivedNthCommandWith(3, DescribeStacksCommand, { StackName: ROOT_ID });
    expect(trace.list()).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks']);
    expect(decideStackAction(found, ALARM_AT, ALARM_AT + 2 * MINUTE).outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('reads the stack once when its status and its events agree', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + MINUTE), stackEvent('UPDATE_IN_PROGRESS', ALARM_AT - 2 * MINUTE), stackEvent('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE)],
    });

    const found = await findUpdateInFlight(client, new CallTrace(), 'web', ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(found?.statusAfterEvents).toBeUndefined();
    expect(cfn).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
  });

  it('answers undefined for a stack that does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(validationError('Stack with id web does not exist'));

    await expect(findUpdateInFlight(client, new CallTrace(), 'web', ALARM_AT, ALARM_AT)).resolves.toBeUndefined();
    expect(cfn).not.toHaveReceivedCommand(DescribeStackEventsCommand);
  });

  it('passes any other error on', async () => {
    cfn.on(DescribeStacksCommand).rejects(validationError('Rate exceeded'));

    await expect(findUpdateInFlight(client, new CallTrace(), 'web', ALARM_AT, ALARM_AT)).rejects.toThrow('Rate exceeded');
  });

  it('gives up with the reason after the page limit', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [stackEvent('UPDATE_COMPLETE', ALARM_AT + MINUTE)], NextToken: 'more' });

    await expect(findUpdateInFlight(client, new CallTrace(), 'web', ALARM_AT, ALARM_AT, { maxPages: 3 }))
      .rejects.toThrow('read 3 pages of stack web\'s events without reaching the alarm\'s time');
    expect(cfn).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 3);
  });

  it('refuses an event without a timestamp', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [stackEvent('UPDATE_COMPLETE', ALARM_AT, { Timestamp: undefined })] });

    await expect(findUpdateInFlight(client, new CallTrace(), 'web', ALARM_AT, ALARM_AT)).rejects.toThrow(UnexpectedAnswerError);
  });
});

describe('cancelUpdateStack', () => {
  const update: StackUpdate = {
    stackId: ROOT_ID,
    stackName: 'web',
    startedAt: ALARM_AT - 2 * MINUTE,
    startEventId: 'e-1',
    claimKey: claimKeyOf(ROOT_ID, ALARM_AT - 2 * MINUTE),
  };

  it('cancels the stack by its ID with a token derived from the claim, the same on every retry', async () => {
    cfn.on(CancelUpdateStackCommand).resolves({});
    const trace = new CallTrace();

    await expect(cancelUpdateStack(client, trace, update, Promise.resolve(true))).resolves.toEqual({ sent: true, answer: 'REQUESTED' });
    await cancelUpdateStack(client, trace, update, Promise.resolve(true));

    const token = cancelTokenOf(update.claimKey);
    expect(cfn).toHaveReceivedNthCommandWith(1, CancelUpdateStackCommand, { StackName: ROOT_ID, ClientRequestToken: token });
    expect(cfn).toHaveReceivedNthCommandWith(2, CancelUpdateStackCommand, { StackName: ROOT_ID, ClientRequestToken: token });
    expect(trace.list()).toEqual(['cloudformation:CancelUpdateStack', 'cloudformation:CancelUpdateStack']);
  });

  it('derives a token that fits the ClientRequestToken shape, and differs per update', () => {
    const token = cancelTokenOf(update.claimKey);

    expect(token).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]*$/);
    expect(token.length).toBeLessThanOrEqual(128);
    expect(token.startsWith(CANCEL_TOKEN_PREFIX)).toBe(true);
    expect(cancelTokenOf(claimKeyOf(ROOT_ID, ALARM_AT))).not.toBe(token);
  });

  it('sends nothing when the claim is not ours', async () => {
    const trace = new CallTrace();

    await expect(cancelUpdateStack(client, trace, update, Promise.resolve(false))).resolves.toEqual({ sent: false });
    expect(cfn).not.toHaveReceivedCommand(CancelUpdateStackCommand);
    expect(trace.list()).toEqual([]);
  });

  it('reads a refusal outside UPDATE_IN_PROGRESS as NOT_UPDATING, for the caller to read the stack again', async () => {
    cfn.on(CancelUpdateStackCommand).rejects(validationError('CancelUpdateStack cannot be called from current stack status'));

    await expect(cancelUpdateStack(client, new CallTrace(), update, Promise.resolve(true))).resolves.toEqual({ sent: true, answer: 'NOT_UPDATING' });
  });

  it('reads TokenAlreadyExistsException as our own earlier cancel of the same update', async () => {
    cfn.on(CancelUpdateStackCommand).rejects(new TokenAlreadyExistsException({ $metadata: {}, message: 'token exists' }));

    await expect(cancelUpdateStack(client, new CallTrace(), update, Promise.resolve(true))).resolves.toEqual({ sent: true, answer: 'ALREADY_REQUESTED' });
  });

  it('passes any other error on, so the event is retried', async () => {
    cfn.on(CancelUpdateStackCommand).rejects(validationError('User is not authorized to perform: cloudformation:CancelUpdateStack'));

    await expect(cancelUpdateStack(client, new CallTrace(), update, Promise.resolve(true))).rejects.toThrow('not authorized');
  });
});
