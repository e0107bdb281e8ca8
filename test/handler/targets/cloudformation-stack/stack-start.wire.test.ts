import { AsyncInvoker, AsyncResult, Invocation } from '../../../../local';
import { AlarmReadFailure, BakeGateProperty, Metrics, RollbackOutcome, RollbackRecord } from '../../../../src/contract';
import { alarmArn, happeningNow } from '../../../support/alarm-event';
import { bakeGateProperties, bakeGateRequest } from '../../../support/bake-gate-request';
import { useStackServices } from '../../../support/stack-services';
import { stackStatusEvent } from '../../../support/stack-status-event';
import { targetItems } from '../../../support/synthesized-ledger';
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

const services = useStackServices(() => ({
  cloudFormation: { stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, bakeGate: { bakeMs: 5 * MINUTE } }] },
  cloudWatch: { alarms: [{ name: ALARM, state: 'OK' }] },
}));

/**
 * Lambda's asynchronous invocation over three execution environments, without
 * its retries: a delivery that reads the stack between another's cancel and
 * its events (DescribeStacks still UPDATE_IN_PROGRESS, the events already
 * rolling back) settles in its one attempt, as ALREADY_STOPPED; a FAILED
 * here would be dead-lettered and fail the test.
 */
function asyncInvoker(): AsyncInvoker {
  return new AsyncInvoker({ instances: [services.start(), services.start(), services.start()], retryAttempts: 0 });
}

/** The outcome of an invocation's one attempt. */
function finalOutcome(result: AsyncResult): string | undefined {
  expect(result.status).toBe('SUCCEEDED');
  expect(result.attempts).toHaveLength(1);
  return (result.attempts[0].result as RollbackRecord | undefined)?.outcome;
}

const cancels = () => services.cloudFormation.requests.filter((request) => request.operation === 'CancelUpdateStack');
const status = () => services.cloudFormation.state.describeStack('Checkout').stackStatus;
const outcomes = async () => (await targetItems(services.dynamo, TARGET_NAME)).map((item) => item.outcome?.S).sort();
const checkMetric = (invocation: Invocation) => invocation.logs
  .map((line) => JSON.parse(line) as Record<string, unknown>)
  .find((line) => line[Metrics.ALARM_STATE_CHECK] === 1);

describe('a stack update starting, with the start gate on', () => {
  it('is cancelled when it starts while a watched alarm fires: one CancelUpdateStack, one record, UPDATE_ROLLBACK_COMPLETE', async () => {
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 5xx rate above 1%');
    const event = services.startUpdate('Checkout');

    const invocation = await services.start().invoke(ruleInput(target(), event));
    services.cloudFormation.state.advance(5 * MINUTE);

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
    const event = services.startUpdate('Checkout');

    const invocation = await services.start().invoke(ruleInput(target(), event));
    services.cloudFormation.state.advance(10 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.IGNORED, trigger: 'DEPLOYMENT_START' });
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'OK' });
    expect(services.cloudFormation.requests).toEqual([]);
    expect(await targetItems(services.dynamo, TARGET_NAME)).toEqual([]);
    expect(status()).toBe('UPDATE_COMPLETE');
  });

  it('cancels once for duplicate status events: a redelivery is a DUPLICATE, a second copy finds the claim taken', async () => {
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const event = services.startUpdate('Checkout');
    const copy = { ...event, id: '7d2f0c4e-9a1b-4c3d-8e5f-6a7b8c9d0e1f' };
    const lambda = asyncInvoker();

    const results = await Promise.all([event, event, copy].map((delivered) => lambda.invoke(ruleInput(target(), delivered))));
    services.cloudFormation.state.advance(5 * MINUTE);

    expect(results.map(finalOutcome).sort())
      .toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED, RollbackOutcome.DUPLICATE].sort());
    expect(cancels()).toHaveLength(1);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('cancels once between the start gate and an alarm event for the same update', async () => {
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const event = services.startUpdate('Checkout');
    const lambda = asyncInvoker();

    const results = await Promise.all([
      lambda.invoke(ruleInput(target(), event)),
      lambda.invoke(ruleInput(target(), alarmEvent({ alarmName: ALARM, ...happeningNow() }))),
    ]);

    expect(results.map(finalOutcome).sort()).toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED]);
    expect(cancels()).toHaveLength(1);
  });

  it('follows alarmReadFailure when the alarms cannot be read: ROLL_BACK cancels the update', async () => {
    services.cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });
    const event = services.startUpdate('Checkout');

    const invocation = await services.start().invoke(ruleInput(target(AlarmReadFailure.ROLL_BACK), event));
    services.cloudFormation.state.advance(5 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, trigger: 'DEPLOYMENT_START' });
    expect((invocation.result as RollbackRecord).reason).toContain('the read-failure policy is ROLL_BACK');
    expect(cancels()).toHaveLength(1);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('follows alarmReadFailure when the alarms cannot be read: CONTINUE lets the update go on, counted UNREADABLE', async () => {
    services.cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });
    const event = services.startUpdate('Checkout');

    const invocation = await services.start().invoke(ruleInput(target(AlarmReadFailure.CONTINUE), event));
    services.cloudFormation.state.advance(10 * MINUTE);

    expect(invocation.result).toMatchObject({ outcome: RollbackOutcome.IGNORED, reason: expect.stringContaining('the read-failure policy is CONTINUE') });
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'UNREADABLE' });
    expect(cancels()).toEqual([]);
    expect(status()).toBe('UPDATE_COMPLETE');
  });

  it('records NO_ACTIVE_DEPLOYMENT, and cancels nothing, for a start event that arrives after its update completed', async () => {
    // An update of another stack that started 20 minutes ago and baked for 5: long over.
    const startedAt = Date.now() - 20 * MINUTE;
    services.cloudFormation.state.seed({ stacks: [{ name: 'Billing', createdAt: Date.now() - 60 * MINUTE, bakeGate: { bakeMs: 5 * MINUTE }, update: { startedAt } }] });
    const billing = services.cloudFormation.state.describeStack('Billing');
    expect(billing.stackStatus).toBe('UPDATE_COMPLETE');
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const late = stackStatusEvent({ stackId: billing.stackId, at: startedAt });

    const invocation = await services.start().invoke(ruleInput({ ...target(), stackName: 'Billing' }, late));

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
    services.startUpdate('Checkout');
    // The resources have updated; the gate holds the update and starts its bake.
    services.cloudFormation.state.advance(MINUTE);
    const stackId = services.cloudFormation.state.describeStack('Checkout').stackId;
    const old = bakeGateProperties('h1', { [BakeGateProperty.TARGET]: TARGET_NAME, [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN] });
    const started = await services.start('onEvent').invoke(bakeGateRequest('Update', PROPS, { stackId, old }), CONTEXT);
    expect(started.result).toMatchObject({ Data: { Mode: 'BAKE' } });
    const polled = bakeGateRequest('Update', PROPS, { stackId, old, onEventAnswer: started.result as never });
    const isComplete = services.start('isComplete');
    expect((await isComplete.invoke(polled, CONTEXT)).result).toEqual({ IsComplete: false });

    // An alarm fires and its event cancels the update; the alarm is back to OK by the gate's next poll.
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const cancelled = await services.start().invoke(ruleInput(target(), alarmEvent({ alarmName: ALARM, ...happeningNow() })));
    expect(cancelled.result).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED });
    services.cloudWatch.state.setAlarmState(ALARM, 'OK');

    const next = await isComplete.invoke(polled, CONTEXT);
    services.cloudFormation.state.advance(5 * MINUTE);

    expect(next.result).toEqual({ IsComplete: true });
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cancels()).toHaveLength(1);
    expect(await outcomes()).toEqual([RollbackOutcome.CANCEL_REQUESTED]);
  });
});
