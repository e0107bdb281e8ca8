import {
  AsyncInvoker,
  AsyncResult,
  BAKE_GATE_ENTRY,
  HandlerInstance,
  Invocation,
  LocalCloudFormation,
  LocalCloudWatch,
  LocalDynamo,
  startLocalCloudFormation,
  startLocalCloudWatch,
} from '../../../../local';
import type { StackStatusChangeEvent } from '../../../../local/cloudformation-state';
import { AlarmReadFailure, BakeGateProperty, Metrics, RollbackOutcome, RollbackRecord } from '../../../../src/contract';
import { alarmArn, happeningNow } from '../../../support/alarm-event';
import { bakeGateProperties, bakeGateRequest } from '../../../support/bake-gate-request';
import { handlerEnv } from '../../../support/handler-env';
import { stackStatusEvent } from '../../../support/stack-status-event';
import { startLedger, targetItems } from '../../../support/synthesized-ledger';
import { alarmEvent, ruleInput, stackTarget } from '../../support';

// The start gate of a stack target (blockDeploymentsWhileAlarming), whole:
// the local CloudFormation starts an update and emits its Stack Status Change
// to UPDATE_IN_PROGRESS (CloudFormationState.onStatusChange, the shape
// EventBridge delivers); the test plays the start rule and hands that event
// to the bundled rollback handler, which reads the local CloudWatch and
// cancels through the local CloudFormation, claiming in the local DynamoDB.
const MINUTE = 60_000;
const ALARM = 'checkout-5xx-rate';
const ALARM_ARN = alarmArn(ALARM);
const TARGET_NAME = 'Stack/Rollback/Checkout';
const target = (alarmReadFailure = AlarmReadFailure.ROLL_BACK) =>
  stackTarget({ name: TARGET_NAME, stackName: 'Checkout', alarmArns: [ALARM_ARN], alarmReadFailure });

let cloudFormation: LocalCloudFormation;
let cloudWatch: LocalCloudWatch;
let dynamo: LocalDynamo;
let instances: HandlerInstance[];
let statusEvents: StackStatusChangeEvent[];

beforeEach(async () => {
  cloudFormation = await startLocalCloudFormation();
  cloudFormation.state.seed({ stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, bakeGate: { bakeMs: 5 * MINUTE } }] });
  statusEvents = [];
  cloudFormation.state.onStatusChange((event) => statusEvents.push(event));
  cloudWatch = await startLocalCloudWatch();
  cloudWatch.state.seed({ alarms: [{ name: ALARM, state: 'OK' }] });
  dynamo = await startLedger();
  instances = [];
});

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  await Promise.all([cloudFormation.close(), cloudWatch.close(), dynamo.close()]);
});

function start(exportName?: 'onEvent' | 'isComplete'): HandlerInstance {
  const instance = HandlerInstance.start({
    entry: exportName ? BAKE_GATE_ENTRY : undefined,
    exportName,
    env: handlerEnv({ cloudFormation: cloudFormation.endpoint, cloudWatch: cloudWatch.endpoint, dynamo: dynamo.endpoint, claimLeaseSeconds: 10 }),
  });
  instances.push(instance);
  return instance;
}

/** Starts an update of Checkout and answers the status event CloudFormation sent for its start. */
function startUpdate(): StackStatusChangeEvent {
  cloudFormation.state.updateStack('Checkout', { templateBody: `{"Resources":{},"Metadata":{"v":"${Date.now()}"}}`, clientRequestToken: 'deploy-1' });
  const started = statusEvents.filter((event) => event.detail['status-details'].status === 'UPDATE_IN_PROGRESS');
  expect(started).toHaveLength(1);
  return started[0];
}

/**
 * Lambda's asynchronous invocation over three execution environments, without
 * its retries: a delivery that reads the stack between another's cancel and
 * its events (DescribeStacks still UPDATE_IN_PROGRESS, the events already
 * rolling back) settles in its one attempt, as ALREADY_STOPPED; a FAILED
 * here would be dead-lettered and fail the test.
 */
function asyncInvoker(): AsyncInvoker {
  return new AsyncInvoker({ instances: [start(), start(), start()], retryAttempts: 0 });
}

/** The outcome of an invocation's one attempt. */
function finalOutcome(result: AsyncResult): string | undefined {
  expect(result.status).toBe('SUCCEEDED');
  expect(result.attempts).toHaveLength(1);
  return (result.attempts[0].result as RollbackRecord | undefined)?.outcome;
}

const cancels = () => cloudFormation.requests.filter((request) => request.operation === 'CancelUpdateStack');
const status = () => cloudFormation.state.describeStack('Checkout').stackStatus;
const outcomes = async () => (await targetItems(dynamo, TARGET_NAME)).map((item) => item.outcome?.S).sort();
const checkMetric = (invocation: Invocation) => invocation.logs
  .map((line) => JSON.parse(line) as Record<string, unknown>)
  .find((line) => line[Metrics.ALARM_STATE_CHECK] === 1);

describe('a stack update starting, with the start gate on', () => {
  it('is cancelled when it starts while a watched alarm fires: one CancelUpdateStack, one record, UPDATE_ROLLBACK_COMPLETE', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 5xx rate above 1%');
    const event = startUpdate();

    const invocation = await start().invoke(ruleInput(target(), event));
    cloudFormation.state.advance(5 * MINUTE);

    expect(invocation.result).toMatchObject({
      outcome: RollbackOutcome.CANCEL_REQUESTED,
      trigger: 'DEPLOYMENT_START',
      alarmsFiring: [ALARM],
      stateBefore: 'UPDATE_IN_PROGRESS',
      stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS',
      eventId: event.id,
    });
    expect((invocation.result as RollbackRecord).apiCalls).toEqual([
      'cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules',
      'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CancelUpdateStack',
    ]);
    expect(cancels()).toHaveLength(1);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await outcomes()).toEqual([RollbackOutcome.CANCEL_REQUESTED]);
  });

  it('leaves a quiet start alone: no cancel, no record, only the check metric; the update bakes and completes', async () => {
    const event = startUpdate();

    const invocation = await start().invoke(ruleInput(target(), event));
    cloudFormation.state.advance(10 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.IGNORED, trigger: 'DEPLOYMENT_START' });
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'OK' });
    expect(cloudFormation.requests).toEqual([]);
    expect(await targetItems(dynamo, TARGET_NAME)).toEqual([]);
    expect(status()).toBe('UPDATE_COMPLETE');
  });

  it('cancels once for duplicate status events: a redelivery is a DUPLICATE, a second copy finds the claim taken', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const event = startUpdate();
    const copy = { ...event, id: '7d2f0c4e-9a1b-4c3d-8e5f-6a7b8c9d0e1f' };
    const lambda = asyncInvoker();

    const results = await Promise.all([event, event, copy].map((delivered) => lambda.invoke(ruleInput(target(), delivered))));
    cloudFormation.state.advance(5 * MINUTE);

    expect(results.map(finalOutcome).sort())
      .toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED, RollbackOutcome.DUPLICATE].sort());
    expect(cancels()).toHaveLength(1);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('cancels once between the start gate and an alarm event for the same update', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const event = startUpdate();
    const lambda = asyncInvoker();

    const results = await Promise.all([
      lambda.invoke(ruleInput(target(), event)),
      lambda.invoke(ruleInput(target(), alarmEvent({ alarmName: ALARM, ...happeningNow() }))),
    ]);

    expect(results.map(finalOutcome).sort()).toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED]);
    expect(cancels()).toHaveLength(1);
  });

  it('follows alarmReadFailure when the alarms cannot be read: ROLL_BACK cancels the update', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });
    const event = startUpdate();

    const invocation = await start().invoke(ruleInput(target(AlarmReadFailure.ROLL_BACK), event));
    cloudFormation.state.advance(5 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, trigger: 'DEPLOYMENT_START' });
    expect((invocation.result as RollbackRecord).reason).toContain('the read-failure policy is ROLL_BACK');
    expect(cancels()).toHaveLength(1);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('follows alarmReadFailure when the alarms cannot be read: CONTINUE lets the update go on, counted UNREADABLE', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });
    const event = startUpdate();

    const invocation = await start().invoke(ruleInput(target(AlarmReadFailure.CONTINUE), event));
    cloudFormation.state.advance(10 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.IGNORED, reason: expect.stringContaining('the read-failure policy is CONTINUE') });
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'UNREADABLE' });
    expect(cancels()).toEqual([]);
    expect(status()).toBe('UPDATE_COMPLETE');
  });

  it('records NO_ACTIVE_DEPLOYMENT, and cancels nothing, for a start event that arrives after its update completed', async () => {
    // An update of another stack that started 20 minutes ago and baked for 5: long over.
    const startedAt = Date.now() - 20 * MINUTE;
    cloudFormation.state.seed({ stacks: [{ name: 'Billing', createdAt: Date.now() - 60 * MINUTE, bakeGate: { bakeMs: 5 * MINUTE }, update: { startedAt } }] });
    const billing = cloudFormation.state.describeStack('Billing');
    expect(billing.stackStatus).toBe('UPDATE_COMPLETE');
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const late = stackStatusEvent({ stackId: billing.stackId, at: startedAt });

    const invocation = await start().invoke(ruleInput({ ...target(), stackName: 'Billing' }, late));

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, trigger: 'DEPLOYMENT_START' });
    expect(cancels()).toEqual([]);
  });
});

describe('the bake gate after the event path cancelled its update', () => {
  const PROPS = bakeGateProperties('h2', {
    [BakeGateProperty.BAKE_SECONDS]: '600',
    [BakeGateProperty.TARGET]: TARGET_NAME,
    [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN],
  });
  const CONTEXT = { awsRequestId: 'gate-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gate' };

  it('ends its waiter at the next poll once the update it held rolls back, writing no second record', async () => {
    startUpdate();
    // The resources have updated; the gate holds the update and starts its bake.
    cloudFormation.state.advance(MINUTE);
    const stackId = cloudFormation.state.describeStack('Checkout').stackId;
    const old = bakeGateProperties('h1', { [BakeGateProperty.TARGET]: TARGET_NAME, [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN] });
    const started = await start('onEvent').invoke(bakeGateRequest('Update', PROPS, { stackId, old }), CONTEXT);
    expect(started.result).toMatchObject({ Data: { Mode: 'BAKE' } });
    const polled = bakeGateRequest('Update', PROPS, { stackId, old, onEventAnswer: started.result as never });
    const isComplete = start('isComplete');
    expect((await isComplete.invoke(polled, CONTEXT)).result).toEqual({ IsComplete: false });

    // An alarm fires and its event cancels the update; the alarm is back to OK by the gate's next poll.
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const cancelled = await start().invoke(ruleInput(target(), alarmEvent({ alarmName: ALARM, ...happeningNow() })));
    expect(cancelled.result).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED });
    cloudWatch.state.setAlarmState(ALARM, 'OK');

    const next = await isComplete.invoke(polled, CONTEXT);
    cloudFormation.state.advance(5 * MINUTE);

    expect(next.result).toEqual({ IsComplete: true });
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cancels()).toHaveLength(1);
    expect(await outcomes()).toEqual([RollbackOutcome.CANCEL_REQUESTED]);
  });
});
