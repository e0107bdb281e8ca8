import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, ListAlarmMuteRulesCommand, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { BakeFailedError, OnEventAnswer } from '../../../lambda/bake-gate/bake-gate';
import { createBakeGateHandlers } from '../../../lambda/bake-gate/bake-gate.lambda';
import type { Clients } from '../../../lambda/shared/clients';
import type { HandlerConfig } from '../../../lambda/shared/config';
import { AlarmReadFailure, BakeGateProperty, RollbackOutcome } from '../../../src/contract';
import { GATE_STACK_ID, bakeGateProperties, bakeGateRequest } from '../../support/bake-gate-request';
import { CONFIG, captureLogs } from '../support';

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const ddb = mockClient(DynamoDBClient);

const UPDATE_AT = Date.parse('2026-11-20T14:00:00.000Z');
const GATE_AT = UPDATE_AT + 4 * 60_000;
const BAKE_ENDS_AT = GATE_AT + 600_000;
const CLAIM_KEY = `${GATE_STACK_ID}@2026-11-20T14:00:00.000Z`;
const CONTEXT = { awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gate-isComplete' };

function stackEvent(status: string, at: number): StackEvent {
  return {
    StackId: GATE_STACK_ID,
    StackName: 'web',
    EventId: `web-${status}-${at}`,
    LogicalResourceId: 'web',
    PhysicalResourceId: GATE_STACK_ID,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as never,
    Timestamp: new Date(at),
  };
}

function stackIs(status: string): void {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: GATE_STACK_ID, StackName: 'web', StackStatus: status as never, CreationTime: new Date(0) }] });
}

function alarmIs(state: string, transitionedAt: number, more: Partial<MetricAlarm> = {}): void {
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [{
      AlarmName: 'web-5xx',
      StateValue: state as never,
      ActionsEnabled: true,
      StateTransitionedTimestamp: new Date(transitionedAt),
      AlarmConfigurationUpdatedTimestamp: new Date(UPDATE_AT - 86_400_000),
      ...more,
    }],
    CompositeAlarms: [],
  });
}

function gate(config: Partial<HandlerConfig> = {}, at: { now: number } = { now: GATE_AT }) {
  const clients: Clients = {
    dynamo: () => new DynamoDBClient({ region: 'us-east-1' }),
    appConfig: async () => { throw new Error('the gate calls no AppConfig'); },
    proton: async () => { throw new Error('the gate calls no Proton'); },
    sns: async () => { throw new Error('no topic is configured'); },
    cloudWatch: async () => new CloudWatchClient({ region: 'us-east-1' }),
    cloudFormation: async () => new CloudFormationClient({ region: 'us-east-1' }),
  };
  return createBakeGateHandlers({ clients, config: () => ({ ...CONFIG, ...config }), now: () => at.now, region: () => 'us-east-1' });
}

/** The ledger's items written, by partition key prefix. */
function putsTo(prefix: string): Array<Record<string, unknown>> {
  return ddb.commandCalls(PutItemCommand)
    .map((call) => unmarshall((call.args[0].input as PutItemCommandInput).Item ?? {}))
    .filter((item) => String(item.pk).startsWith(prefix));
}

/** onEvent for an Update whose template hash changed, then the request isComplete is given. */
async function startBake(handlers: ReturnType<typeof gate>, props = bakeGateProperties('h2')): Promise<Record<string, unknown>> {
  const answer: OnEventAnswer = await handlers.onEvent(bakeGateRequest('Update', props, { old: bakeGateProperties('h1') }), CONTEXT);
  return bakeGateRequest('Update', props, { old: bakeGateProperties('h1'), onEventAnswer: answer });
}

let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  cfn.reset();
  cw.reset();
  ddb.reset();
  logs = captureLogs();
  stackIs('UPDATE_IN_PROGRESS');
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [stackEvent('UPDATE_IN_PROGRESS', UPDATE_AT), stackEvent('CREATE_COMPLETE', UPDATE_AT - 86_400_000)] });
  cw.on(ListAlarmMuteRulesCommand).resolves({ AlarmMuteRuleSummaries: [] });
  ddb.on(PutItemCommand).resolves({});
});

afterEach(() => logs.restore());

describe('the bake gate entry, driven through its SDK clients', () => {
  it('starts the bake from the update start it reads in the stack\'s events, with the update\'s claim key', async () => {
    const answer = await gate().onEvent(bakeGateRequest('Update', bakeGateProperties('h2'), { old: bakeGateProperties('h1') }), CONTEXT);

    expect(answer).toEqual({
      PhysicalResourceId: `${GATE_STACK_ID}/BakeGate`,
      Data: { Mode: 'BAKE', UpdateStartedAt: '2026-11-20T14:00:00.000Z', BakeEndsAt: new Date(BAKE_ENDS_AT).toISOString(), ClaimKey: CLAIM_KEY },
    });
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: GATE_STACK_ID });
    expect(cfn).toHaveReceivedCommandWith(DescribeStackEventsCommand, { StackName: GATE_STACK_ID });
  });

  it('waits while the alarms are quiet and completes once the bake is over, recording nothing', async () => {
    alarmIs('OK', UPDATE_AT - 3_600_000);
    const at = { now: GATE_AT };
    const handlers = gate({}, at);
    const polled = await startBake(handlers);

    at.now = GATE_AT + 30_000;
    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
    at.now = BAKE_ENDS_AT;
    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: true });

    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['web-5xx'] });
    expect(putsTo('ACTION#')).toEqual([]);
    expect(putsTo('TARGET#')).toEqual([]);
  });

  it('fails the gate when an alarm entered ALARM after the update started, under the update\'s claim, and records CANCEL_REQUESTED', async () => {
    alarmIs('ALARM', UPDATE_AT + 5 * 60_000);
    const at = { now: GATE_AT };
    const handlers = gate({}, at);
    const polled = await startBake(handlers);
    at.now = GATE_AT + 60_000;

    await expect(handlers.isComplete(polled, CONTEXT)).rejects.toThrow(BakeFailedError);

    const claims = putsTo(`ACTION#cloudformation#${CLAIM_KEY}`);
    expect(claims.map((item) => item.claimState)).toEqual(['CLAIMED', 'DONE']);
    expect(claims[0]).toMatchObject({ sk: 'ACTION', target: 'App/Rollback/web', intended: RollbackOutcome.CANCEL_REQUESTED });
    const [record] = putsTo('TARGET#App/Rollback/web');
    expect(record).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, targetKind: 'cloudformation-stack', deploymentId: CLAIM_KEY });
    expect(String(record.reason)).toContain('alarm web-5xx entered a trigger state after the update started');
  });

  it('lets an alarm firing since before the update bake on: the update may be its fix', async () => {
    alarmIs('ALARM', UPDATE_AT - 10 * 60_000);
    const handlers = gate();
    const polled = await startBake(handlers);

    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
    expect(putsTo('ACTION#')).toEqual([]);
  });

  it('fails the gate for an alarm firing since before the update when the start gate is on', async () => {
    alarmIs('ALARM', UPDATE_AT - 10 * 60_000);
    const handlers = gate();
    const polled = await startBake(handlers, bakeGateProperties('h2', { [BakeGateProperty.BLOCK_START]: 'true' }));

    await expect(handlers.isComplete(polled, CONTEXT)).rejects.toThrow(/during the update, or before it with the start gate on/);
  });

  it('reads the mute rules of an alarm that fires, and bakes on when a rule mutes it', async () => {
    alarmIs('ALARM', UPDATE_AT + 5 * 60_000);
    cw.on(ListAlarmMuteRulesCommand).resolves({
      AlarmMuteRuleSummaries: [{ AlarmMuteRuleArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:deploy-window', Status: 'ACTIVE' }],
    });
    const handlers = gate();
    const polled = await startBake(handlers);

    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
    expect(cw).toHaveReceivedCommandWith(ListAlarmMuteRulesCommand, { AlarmName: 'web-5xx', Statuses: ['ACTIVE'] });
  });

  it('takes an INSUFFICIENT_DATA alarm that this update configured as not evaluated yet', async () => {
    alarmIs('INSUFFICIENT_DATA', UPDATE_AT + 2 * 60_000, { AlarmConfigurationUpdatedTimestamp: new Date(UPDATE_AT + 2 * 60_000) });
    const handlers = gate();
    const polled = await startBake(handlers, bakeGateProperties('h2', { [BakeGateProperty.TRIGGER_STATES]: ['ALARM', 'INSUFFICIENT_DATA'] }));

    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
  });

  it('records ALREADY_STOPPED and still fails when the alarm-event path holds the update\'s claim', async () => {
    alarmIs('ALARM', UPDATE_AT + 5 * 60_000);
    ddb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
      if (String(input.Item?.pk?.S).startsWith('ACTION#')) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      return {};
    });
    const handlers = gate();
    const polled = await startBake(handlers);

    await expect(handlers.isComplete(polled, CONTEXT)).rejects.toThrow(BakeFailedError);
    expect(putsTo('TARGET#')[0]).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED });
  });

  it('fails the gate on an unreadable alarm under ROLL_BACK, and bakes on under CONTINUE', async () => {
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const strict = gate();
    await expect(strict.isComplete(await startBake(strict), CONTEXT)).rejects.toThrow(/the alarms could not be read \(.*Rate exceeded\); the read-failure policy is ROLL_BACK/);

    const lenient = gate();
    const polled = await startBake(lenient, bakeGateProperties('h2', { [BakeGateProperty.ALARM_READ_FAILURE]: AlarmReadFailure.CONTINUE }));
    await expect(lenient.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
  });

  it('leaves an alarm of another Region unread, to the event path', async () => {
    const handlers = gate();
    const polled = await startBake(handlers, bakeGateProperties('h2', {
      [BakeGateProperty.ALARM_ARNS]: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx'],
    }));

    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: false });
    expect(cw).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it('in dry run records DRY_RUN, takes no claim and lets the update complete', async () => {
    alarmIs('ALARM', UPDATE_AT + 5 * 60_000);
    const handlers = gate({ dryRun: true });
    const polled = await startBake(handlers);

    await expect(handlers.isComplete(polled, CONTEXT)).resolves.toEqual({ IsComplete: true });
    expect(putsTo('ACTION#')).toEqual([]);
    expect(putsTo('TARGET#')[0]).toMatchObject({ outcome: RollbackOutcome.DRY_RUN });
  });

  it('lets the update go on unbaked, loudly, when its configuration cannot be read', async () => {
    const handlers = createBakeGateHandlers({
      clients: {} as Clients,
      config: () => { throw new Error('ROLLBACK_LEDGER_TABLE is not set'); },
      now: () => GATE_AT,
      region: () => 'us-east-1',
    });
    const request = bakeGateRequest('Update', bakeGateProperties('h2'), { old: bakeGateProperties('h1') });

    await expect(handlers.onEvent(request, CONTEXT)).resolves.toEqual({ PhysicalResourceId: `${GATE_STACK_ID}/BakeGate`, Data: { Mode: 'SKIP' } });
    await expect(handlers.isComplete(request, CONTEXT)).resolves.toEqual({ IsComplete: true });
    expect(logs.lines().some((line) => line.level === 'ERROR' && String(line.message).includes('configuration cannot be read'))).toBe(true);
  });

  it('records a REJECTED fault, and lets the update go on, when the gate\'s request cannot be read', async () => {
    const answer = await gate().onEvent(bakeGateRequest('Update', bakeGateProperties('h2', { [BakeGateProperty.BAKE_SECONDS]: '99999' })), CONTEXT);

    expect(answer.Data).toEqual({ Mode: 'SKIP' });
    expect(putsTo('TARGET#')[0]).toMatchObject({ outcome: RollbackOutcome.REJECTED, targetKind: 'cloudformation-stack' });
  });
});
