import { Invocation } from '../../../local';
import { BakeGateProperty, RollbackOutcome } from '../../../src/contract';
import { happeningNow } from '../../support/alarm-event';
import { bakeGateProperties, bakeGateRequest } from '../../support/bake-gate-request';
import { useStackServices } from '../../support/stack-services';
import { targetItems } from '../../support/synthesized-ledger';
import { alarmEvent, ruleInput, stackTarget } from '../support';

// The bundled gate entry (bake-gate.mjs), its onEvent and isComplete each in
// a worker like its own Lambda function, with the real SDK clients talking to
// the local CloudFormation, CloudWatch and DynamoDB. The test plays the
// Provider framework: it calls onEvent, polls isComplete, and reports the
// answer to CloudFormation (releaseBake), as the framework's waiter does.
const MINUTE = 60_000;
const ALARM = 'checkout-5xx-rate';
const ALARM_ARN = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}`;
const TARGET_NAME = 'Stack/Rollback/Checkout';
const CONTEXT = { awsRequestId: 'gate-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gate' };
const PROPS = bakeGateProperties('h2', {
  [BakeGateProperty.BAKE_SECONDS]: '2',
  [BakeGateProperty.TARGET]: TARGET_NAME,
  [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN],
});

const services = useStackServices(() => ({
  // An update started a minute ago; its resources updated after 30 s, and the gate holds it now.
  cloudFormation: { stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, update: { startedAt: Date.now() - MINUTE } }] },
  cloudWatch: { alarms: [{ name: ALARM, state: 'OK' }] },
}));

let stackId: string;
beforeEach(() => {
  stackId = services.cloudFormation.state.describeStack('Checkout').stackId;
});

/** onEvent for the update, then the request the framework hands isComplete. */
async function startBake(): Promise<Record<string, unknown>> {
  const old = bakeGateProperties('h1', { [BakeGateProperty.TARGET]: TARGET_NAME, [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN] });
  const started = await services.start('onEvent').invoke(bakeGateRequest('Update', PROPS, { stackId, old }), CONTEXT);
  expect(started.ok).toBe(true);
  expect(started.result).toMatchObject({ Data: { Mode: 'BAKE' } });
  return bakeGateRequest('Update', PROPS, { stackId, old, onEventAnswer: started.result as never });
}

/** What the framework's waiter does with an answer: report success, or the error's message as the failure. */
function report(answer: Invocation): void {
  if (!answer.ok) {
    services.cloudFormation.state.releaseBake('Checkout', { success: false, reason: answer.error?.message });
  } else if ((answer.result as { IsComplete: boolean }).IsComplete) {
    services.cloudFormation.state.releaseBake('Checkout', { success: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the bundled bake gate against the local CloudFormation and CloudWatch', () => {
  it('holds the update while the alarms are quiet and lets it complete once the bake is over', async () => {
    const polled = await startBake();
    const isComplete = services.start('isComplete');

    const first = await isComplete.invoke(polled, CONTEXT);
    expect(first.result).toEqual({ IsComplete: false });
    report(first);
    expect(services.cloudFormation.state.describeStack('Checkout').stackStatus).toBe('UPDATE_IN_PROGRESS');

    await sleep(2_100);
    const last = await isComplete.invoke(polled, CONTEXT);
    expect(last.result).toEqual({ IsComplete: true });
    report(last);
    services.cloudFormation.state.advance(MINUTE);

    expect(services.cloudFormation.state.describeStack('Checkout').stackStatus).toBe('UPDATE_COMPLETE');
    expect(await targetItems(services.dynamo, TARGET_NAME)).toEqual([]);
  });

  it('fails the update when an alarm fires during the bake: CloudFormation rolls it back, and one record says so', async () => {
    const polled = await startBake();
    const isComplete = services.start('isComplete');
    expect((await isComplete.invoke(polled, CONTEXT)).result).toEqual({ IsComplete: false });

    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 5xx rate above 1%');
    const failed = await isComplete.invoke(polled, CONTEXT);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({ name: 'BakeFailedError' });
    expect(failed.error?.message).toContain(`alarm ${ALARM} entered a trigger state after the update started`);
    report(failed);
    services.cloudFormation.state.advance(5 * MINUTE);

    expect(services.cloudFormation.state.describeStack('Checkout').stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const records = await targetItems(services.dynamo, TARGET_NAME);
    expect(records.map((item) => item.outcome?.S)).toEqual([RollbackOutcome.CANCEL_REQUESTED]);
  });

  it('leaves the alarm event that follows a failed gate nothing to cancel: no CancelUpdateStack, and it records ALREADY_STOPPED', async () => {
    const polled = await startBake();
    services.cloudWatch.state.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 5xx rate above 1%');
    const failed = await services.start('isComplete').invoke(polled, CONTEXT);
    expect(failed.ok).toBe(false);
    report(failed);

    const target = stackTarget({ stackName: 'Checkout', alarmArns: [ALARM_ARN], name: TARGET_NAME });
    const handled = await services.start().invoke(ruleInput(target, alarmEvent({ alarmName: ALARM, ...happeningNow() })));

    expect(handled.ok).toBe(true);
    expect(services.cloudFormation.requests.filter((request) => request.operation === 'CancelUpdateStack')).toEqual([]);
    const outcomes = (await targetItems(services.dynamo, TARGET_NAME)).map((item) => item.outcome?.S).sort();
    expect(outcomes).toEqual([RollbackOutcome.ALREADY_STOPPED, RollbackOutcome.CANCEL_REQUESTED]);
  });
});
