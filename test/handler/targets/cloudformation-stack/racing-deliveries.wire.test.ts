import { randomUUID } from 'crypto';
import { Invocation } from '../../../../local';
import { BakeGateProperty, RollbackOutcome, RollbackRecord } from '../../../../src/contract';
import { alarmArn, happeningNow } from '../../../support/alarm-event';
import { bakeGateProperties, bakeGateRequest } from '../../../support/bake-gate-request';
import { useStackServices } from '../../../support/stack-services';
import { targetItems } from '../../../support/synthesized-ledger';
import { alarmEvent, ruleInput, stackTarget } from '../../support';

// Deliveries racing on one stack update, through the bundled handler against
// the local CloudFormation, each invoked once: no Lambda retry settles a
// race here. A delivery that read DescribeStacks while the update was
// UPDATE_IN_PROGRESS and then finds it rolling back (another delivery's
// cancel, the bake gate's failure, a cancel by hand) records
// ALREADY_STOPPED, never FAILED, which notifies a person. The interleaving
// is made certain, not left to timing: a latency fault holds the losing
// deliveries' DescribeStackEvents (or the winner's CancelUpdateStack) until
// the other side has acted, and every execution environment is started (its
// bundle loaded) before the update, so the other side acts well within it.
const MINUTE = 60_000;
const HOLD_MS = 4_000;
const WAIT_MS = 20_000;
const ALARM = 'checkout-5xx-rate';
const ALARM_ARN = alarmArn(ALARM);
const TARGET_NAME = 'Stack/Rollback/Checkout';
const target = () => stackTarget({ name: TARGET_NAME, stackName: 'Checkout', alarmArns: [ALARM_ARN] });

const services = useStackServices(() => ({
  cloudFormation: { stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, bakeGate: { bakeMs: 5 * MINUTE } }] },
  cloudWatch: { alarms: [{ name: ALARM, state: 'ALARM' }] },
}));

const anAlarmEvent = () => ruleInput(target(), alarmEvent({ alarmName: ALARM, id: randomUUID(), ...happeningNow() }));
const requestsOf = (operation: string) => services.cloudFormation.requests.filter((request) => request.operation === operation);
const status = () => services.cloudFormation.state.describeStack('Checkout').stackStatus;
const outcomes = async () => (await targetItems(services.dynamo, TARGET_NAME)).map((item) => item.outcome?.S).sort();
const recordOf = (invocation: Invocation) => invocation.result as RollbackRecord;

/** Waits until the local CloudFormation has received `count` requests of `operation`. */
async function received(operation: string, count: number): Promise<void> {
  const until = Date.now() + WAIT_MS;
  while (requestsOf(operation).length < count) {
    if (Date.now() > until) {
      throw new Error(`the local CloudFormation received ${requestsOf(operation).length} ${operation} requests, not ${count}, within ${WAIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The calls of a delivery that read the stack in progress, found its events already past it, and read the stack again. */
const REREAD = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks'];

describe('deliveries racing on one stack update, each invoked once', () => {
  it('cancels once; those that read UPDATE_IN_PROGRESS before the cancel and its rollback after record ALREADY_STOPPED, not FAILED', async () => {
    const [first, second, third, fourth] = [services.start(), services.start(), services.start(), services.start()];
    const startEvent = services.startUpdate('Checkout');
    // The start gate's event and two alarm events read DescribeStacks, then wait for their events...
    services.cloudFormation.faults.add({ operation: 'DescribeStackEvents', fault: 'latency', latencyMs: HOLD_MS, times: 3 });
    const losers = [first.invoke(ruleInput(target(), startEvent)), second.invoke(anAlarmEvent()), third.invoke(anAlarmEvent())];
    await received('DescribeStackEvents', 3);
    expect(requestsOf('DescribeStacks')).toHaveLength(3);
    expect(status()).toBe('UPDATE_IN_PROGRESS');

    // ...while a third alarm event reads the stack and cancels the update.
    const winner = await fourth.invoke(anAlarmEvent());
    expect(status()).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    const settled = await Promise.all(losers);
    services.cloudFormation.state.advance(5 * MINUTE);

    expect(winner.result).toMatchObject({ outcome: RollbackOutcome.CANCEL_REQUESTED, stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    for (const loser of settled) {
      expect(loser.ok).toBe(true);
      expect(recordOf(loser)).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateBefore: 'UPDATE_ROLLBACK_IN_PROGRESS' });
      expect(recordOf(loser).apiCalls.filter((call) => call.startsWith('cloudformation:'))).toEqual(REREAD);
    }
    expect(recordOf(settled[0])).toMatchObject({ trigger: 'DEPLOYMENT_START', eventId: startEvent.id });
    expect(requestsOf('CancelUpdateStack')).toHaveLength(1);
    expect(await outcomes()).toEqual([
      RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED,
    ]);
    expect(status()).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('records ALREADY_STOPPED for an alarm event that read UPDATE_IN_PROGRESS just before the bake gate failed the update', async () => {
    const [gateStart, gatePoll, delivery] = [services.start('onEvent'), services.start('isComplete'), services.start()];
    services.startUpdate('Checkout');
    services.cloudFormation.state.advance(MINUTE);
    const stackId = services.cloudFormation.state.describeStack('Checkout').stackId;
    const props = bakeGateProperties('h2', { [BakeGateProperty.BAKE_SECONDS]: '600', [BakeGateProperty.TARGET]: TARGET_NAME, [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN] });
    const old = bakeGateProperties('h1', { [BakeGateProperty.TARGET]: TARGET_NAME, [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN] });
    const context = { awsRequestId: 'gate-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gate' };
    services.cloudWatch.state.setAlarmState(ALARM, 'OK');
    const onEvent = await gateStart.invoke(bakeGateRequest('Update', props, { stackId, old }), context);
    expect(onEvent.result).toMatchObject({ Data: { Mode: 'BAKE' } });
    // The alarm fires during the bake: its event reads the stack and waits for the events...
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const before = requestsOf('DescribeStackEvents').length;
    services.cloudFormation.faults.add({ operation: 'DescribeStackEvents', fault: 'latency', latencyMs: HOLD_MS, times: 1 });
    const event = delivery.invoke(anAlarmEvent());
    await received('DescribeStackEvents', before + 1);

    // ...while the gate's next poll takes the update's claim and fails, and CloudFormation rolls the update back.
    const poll = await gatePoll.invoke(bakeGateRequest('Update', props, { stackId, old, onEventAnswer: onEvent.result as never }), context);
    expect(poll.error?.name).toBe('BakeFailedError');
    services.cloudFormation.state.releaseBake('Checkout', { success: false, reason: poll.error?.message });
    const delivered = await event;

    expect(delivered.ok).toBe(true);
    expect(recordOf(delivered)).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateBefore: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(recordOf(delivered).apiCalls.filter((call) => call.startsWith('cloudformation:'))).toEqual(REREAD);
    expect(requestsOf('CancelUpdateStack')).toEqual([]);
    expect(await outcomes()).toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED]);
  });

  it('records ALREADY_STOPPED when its cancel is refused because the update was cancelled by other hands meanwhile', async () => {
    const delivery = services.start();
    services.startUpdate('Checkout');
    // The delivery holds the update's claim and sends its cancel; the cancel reaches CloudFormation after another one did.
    services.cloudFormation.faults.add({ operation: 'CancelUpdateStack', fault: 'latency', latencyMs: HOLD_MS, times: 1 });
    const event = delivery.invoke(anAlarmEvent());
    await received('CancelUpdateStack', 1);
    services.cloudFormation.state.cancelUpdateStack('Checkout', 'console-cancel-1');
    const delivered = await event;

    expect(delivered.ok).toBe(true);
    expect(recordOf(delivered)).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(requestsOf('CancelUpdateStack').map((request) => request.error)).toEqual(['ValidationError']);
    expect(await outcomes()).toEqual([RollbackOutcome.ALREADY_STOPPED]);
  });
});
