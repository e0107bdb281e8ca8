import { randomUUID } from 'crypto';
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  StackEvent,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, ListAlarmMuteRulesCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { cancelTokenOf } from '../../../../lambda/targets/cloudformation-stack/cancel-update-stack';
import { stackUpdateActionKey } from '../../../../lambda/targets/cloudformation-stack/cloudformation-stack-runner';
import { claimKeyOf } from '../../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { AlarmReadFailure, Metrics, RollbackOutcome, RollbackTrigger } from '../../../../src/contract';
import { STACK_STATUS_FIXTURE_STACK_ID as STACK_ID, stackStatusEvent } from '../../../support/stack-status-event';
import { NOW, captureLogs, ruleInput, stackTarget, testHandler } from '../../support';

// The start gate of a stack target (blockDeploymentsWhileAlarming): the
// rollback entry handed a stack's UPDATE_IN_PROGRESS status event reads the
// target's alarms, and cancels the update through the stack runner when one
// fires, under the claim the alarm-event path and the bake gate take.
const cfn = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
let logs: ReturnType<typeof captureLogs>;

const ALARM = 'checkout-5xx-rate';
const UPDATE_START = NOW - 6_000;
const CLAIM = claimKeyOf(STACK_ID, UPDATE_START);
const target = (overrides: Parameters<typeof stackTarget>[0] = {}) => stackTarget({ alarmReadFailure: AlarmReadFailure.ROLL_BACK, ...overrides });

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

function alarmsIn(state: string, actionsEnabled = true): void {
  cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((name) => ({ AlarmName: name, StateValue: state, ActionsEnabled: actionsEnabled })),
    CompositeAlarms: [],
  }));
}

const putOutcomes = () => dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.outcome?.S).filter(Boolean);
const checkMetric = () => logs.lines().find((line) => line[Metrics.ALARM_STATE_CHECK] === 1);

beforeEach(() => {
  cfn.reset();
  dynamo.reset();
  cloudWatch.reset();
  cloudWatch.on(ListAlarmMuteRulesCommand).resolves({ AlarmMuteRuleSummaries: [] });
  dynamo.on(PutItemCommand).resolves({});
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: STACK_ID, StackName: 'Checkout', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] });
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [stackEvent('UPDATE_IN_PROGRESS', UPDATE_START), stackEvent('CREATE_COMPLETE', NOW - 3_600_000)] });
  cfn.on(CancelUpdateStackCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('stack start gate', () => {
  it('cancels an update that starts while a watched alarm fires, under the update\'s claim, recording DEPLOYMENT_START', async () => {
    alarmsIn('ALARM');

    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ at: UPDATE_START })));

    expect(record).toMatchObject({
      outcome: RollbackOutcome.CANCEL_REQUESTED,
      trigger: RollbackTrigger.DEPLOYMENT_START,
      alarmsFiring: [ALARM],
      stateBefore: 'UPDATE_IN_PROGRESS',
      stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS',
      deploymentId: CLAIM,
      eventId: stackStatusEvent().id,
    });
    expect(record.reason).toContain(`${ALARM} fired as an update of stack Checkout started`);
    expect(record.apiCalls).toEqual([
      'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules',
      'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CancelUpdateStack',
    ]);
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
    expect(cfn).toHaveReceivedCommandWith(CancelUpdateStackCommand, { StackName: STACK_ID, ClientRequestToken: cancelTokenOf(CLAIM) });
    const keys = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.pk?.S);
    expect(keys).toContain(stackUpdateActionKey(CLAIM).pk);
    expect(putOutcomes()).toEqual([RollbackOutcome.CANCEL_REQUESTED]);
  });

  it('leaves a quiet start alone: no stack call, no record, the check metric only', async () => {
    alarmsIn('OK');

    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ at: UPDATE_START })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.IGNORED, trigger: RollbackTrigger.DEPLOYMENT_START });
    expect(cfn.calls()).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
    expect(checkMetric()).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'OK' });
  });

  it('lets an update start while the firing alarm\'s actions are disabled, unless the target acts on paused alarms', async () => {
    alarmsIn('ALARM', false);

    const paused = await testHandler()(ruleInput(target(), stackStatusEvent({ at: UPDATE_START })));
    const acting = await testHandler()(ruleInput(target({ actOnPausedAlarms: true }), stackStatusEvent({ at: UPDATE_START, id: randomUUID() })));

    expect(paused).toMatchObject({ outcome: RollbackOutcome.IGNORED, reason: expect.stringContaining('its actions are disabled') });
    expect(acting.outcome).toBe(RollbackOutcome.CANCEL_REQUESTED);
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
  });

  it('follows triggerOn: INSUFFICIENT_DATA cancels only a target that acts on it', async () => {
    alarmsIn('INSUFFICIENT_DATA');

    const alarmOnly = await testHandler()(ruleInput(target(), stackStatusEvent({ at: UPDATE_START })));
    const both = await testHandler()(ruleInput(target({ triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] }), stackStatusEvent({ at: UPDATE_START, id: randomUUID() })));

    expect(alarmOnly.outcome).toBe(RollbackOutcome.IGNORED);
    expect(both.outcome).toBe(RollbackOutcome.CANCEL_REQUESTED);
  });

  it('cancels on unreadable alarms when the read-failure policy is ROLL_BACK', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ at: UPDATE_START })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, trigger: RollbackTrigger.DEPLOYMENT_START });
    expect(record.reason).toContain('could not be read at the start of an update of stack Checkout');
    expect(record.reason).toContain('the read-failure policy is ROLL_BACK');
    expect(record.alarmsFiring).toBeUndefined();
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 1);
  });

  it('lets the update go on, counted as UNREADABLE, when the read-failure policy is CONTINUE', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const record = await testHandler()(ruleInput(target({ alarmReadFailure: AlarmReadFailure.CONTINUE }), stackStatusEvent({ at: UPDATE_START })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.IGNORED, reason: expect.stringContaining('the read-failure policy is CONTINUE') });
    expect(cfn.calls()).toHaveLength(0);
    expect(checkMetric()).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'UNREADABLE' });
    expect(logs.lines().some((line) => String(line.message).includes('could not be read at the start of an update of stack Checkout'))).toBe(true);
  });

  it('reads an input without the policy as ROLL_BACK, the AlarmRollback\'s default', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(new Error('unavailable'));
    const { alarmReadFailure: _, ...withoutPolicy } = target();

    const record = await testHandler()(ruleInput(withoutPolicy, stackStatusEvent({ at: UPDATE_START })));

    expect(record.outcome).toBe(RollbackOutcome.CANCEL_REQUESTED);
  });

  it('records NO_ACTIVE_DEPLOYMENT for a late event whose update is already over', async () => {
    alarmsIn('ALARM');
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: STACK_ID, StackName: 'Checkout', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [stackEvent('UPDATE_COMPLETE', NOW - 120_000), stackEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', NOW - 130_000), stackEvent('UPDATE_IN_PROGRESS', NOW - 600_000)],
    });

    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ at: NOW - 600_000 })));

    expect(record.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
    expect(cfn).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });
});

describe('stack start gate: events it refuses', () => {
  beforeEach(() => alarmsIn('ALARM'));

  it('ignores a status other than UPDATE_IN_PROGRESS', async () => {
    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ status: 'UPDATE_COMPLETE' })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.IGNORED, reason: expect.stringContaining('went UPDATE_COMPLETE') });
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  it('refuses an event about another stack, or the same name in another Region when the target is a stack ID', async () => {
    const other = await testHandler()(ruleInput(target(), stackStatusEvent({ stackId: STACK_ID.replace('/Checkout/', '/Checkout2/') })));
    const elsewhere = await testHandler()(ruleInput(target({ stackName: STACK_ID }), stackStatusEvent({ stackId: STACK_ID.replace('us-east-1', 'eu-west-1') })));
    const recreated = await testHandler()(ruleInput(target({ stackName: STACK_ID }), stackStatusEvent({ stackId: STACK_ID.replace(/[^/]+$/, 'a-new-unique-id') })));

    expect(other).toMatchObject({ outcome: RollbackOutcome.REJECTED, reason: expect.stringContaining('not Checkout of target') });
    expect(elsewhere.outcome).toBe(RollbackOutcome.REJECTED);
    expect(recreated.outcome).toBe(RollbackOutcome.CANCEL_REQUESTED);
  });

  it('refuses an event with no readable stack ID or status', async () => {
    const record = await testHandler()(ruleInput(target(), stackStatusEvent({ changes: { detail: { 'stack-id': 'Checkout' } } })));

    expect(record).toMatchObject({ outcome: RollbackOutcome.REJECTED, reason: expect.stringContaining('no readable detail.stack-id') });
  });

  it('refuses a start for a target watched by tags only, and a rule input with an unknown policy', async () => {
    const tagsOnly = await testHandler()(ruleInput(target({ alarmArns: [], alarmTags: { rollback: 'checkout' } }), stackStatusEvent()));
    const badPolicy = await testHandler()(ruleInput(target({ alarmReadFailure: 'MAYBE' as AlarmReadFailure }), stackStatusEvent()));

    expect(tagsOnly).toMatchObject({ outcome: RollbackOutcome.REJECTED, reason: expect.stringContaining('lists no alarm for the start gate') });
    expect(badPolicy).toMatchObject({ outcome: RollbackOutcome.REJECTED, reason: expect.stringContaining('target.alarmReadFailure is "MAYBE"') });
    expect(cfn.calls()).toHaveLength(0);
  });
});
