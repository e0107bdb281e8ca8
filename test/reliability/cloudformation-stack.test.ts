import { ScenarioFigures } from './figures';
import {
  alarmArn,
  alarmEvent,
  appliedOf,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  recordScenario,
  ROLLBACK_NAME,
  ruleInput,
  stackTarget,
  startLedger,
  useSharedClock,
  waitFor,
  wallClock,
} from './support';
import { AsyncInvoker, closedEndpoint, LocalCloudFormation, LocalDynamo, startLocalCloudFormation } from '../../local';
import { RollbackInput } from '../../src/contract';

// CloudFormation stack targets: a bake gate holds the stack's update open
// while alarm events arrive, through the bundled handler on several execution
// environments sharing one ledger, against a local CloudFormation that fails
// on purpose. Every scenario ends with the update rolled back
// (UPDATE_ROLLBACK_COMPLETE), at most one cancel applied to it, and no event lost.
const SUITE = 'cloudformation-stack';
const INSTANCES = 8;
const MINUTE = 60_000;
// The local service's rollback and cleanup times, set here so a scenario can
// move its clock past them to the end of the rollback.
const ROLLBACK_MS = 30_000;
const CLEANUP_MS = 10_000;
const ALARMS = ['checkout-5xx-rate', 'checkout-latency-p99', 'checkout-errors', 'checkout-health'];
const TARGET = stackTarget({ stackName: 'Checkout', alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/Checkout` });
const TOKEN = /^alarm-rollback-[0-9a-f]{64}$/;

let cloudFormation: LocalCloudFormation;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let startedAt: number;

useSharedClock();
/** The draw for fault rules with a probability; a test may fix it. */
let draw: () => number;

beforeEach(async () => {
  startedAt = wallClock();
  draw = Math.random;
  cloudFormation = await startLocalCloudFormation({ rollbackMs: ROLLBACK_MS, cleanupMs: CLEANUP_MS, random: () => draw() });
  // Created an hour ago; an update started a minute ago, its resources updated
  // after 30 s, and its bake gate holds the update open (no bake end set).
  cloudFormation.state.seed({ stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, update: { startedAt: Date.now() - MINUTE } }] });
  dynamo = await startLedger();
});

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all([cloudFormation.close(), dynamo.close()]);
});

const startInvoker = (instances = 1, options: Parameters<typeof invokerFor>[2] = {}, ledger = dynamo.endpoint) =>
  invokerFor(handlerEnv({ cloudFormation: cloudFormation.endpoint, dynamo: ledger }), instances, options);

const events = (count: number): RollbackInput[] => Array.from({ length: count }, (_, index) =>
  ruleInput(TARGET, alarmEvent({ alarmName: ALARMS[index % ALARMS.length], ...happeningNow() })));

const figures = (scenario: string, inputs: readonly RollbackInput[], extraFaults = 0): Promise<ScenarioFigures> => recordScenario({
  suite: SUITE,
  scenario,
  inputs,
  requests: cloudFormation.requests,
  action: 'CancelUpdateStack',
  ledger: dynamo,
  deadLetters: invoker!.deadLetters,
  extraFaults,
  startedAt,
});

/** Moves the stack's clock past the rollback and its cleanup, and answers the status it ends in. */
function statusAfterRollback(): string {
  cloudFormation.state.advance(ROLLBACK_MS + CLEANUP_MS);
  return cloudFormation.state.describeStack('Checkout').stackStatus;
}

/** The cancels CloudFormation carried out, and the tokens every cancel request carried. */
function cancelsMade() {
  const requests = callsOf(cloudFormation.requests, 'CancelUpdateStack');
  return { applied: appliedOf(cloudFormation.requests, 'CancelUpdateStack').length, tokens: new Set(requests.map((request) => String(request.params.ClientRequestToken))) };
}

describe('one stack update held by its bake, many alarms', () => {
  it(`makes exactly one CancelUpdateStack call for 100 concurrent alarms on ${INSTANCES} instances, and the update rolls back`, async () => {
    expect(cloudFormation.state.describeStack('Checkout').stackStatus).toBe('UPDATE_IN_PROGRESS');
    // Without Lambda's retries: an event that reads the stack between the
    // cancel and its events settles in its one attempt, so none is FAILED
    // (which would notify a person) and none is dead-lettered.
    invoker = startInvoker(INSTANCES, { retryAttempts: 0 });
    const inputs = events(100);

    const results = await Promise.all(inputs.map((input) => invoker!.invoke(input)));

    expect(results.every((result) => result.status === 'SUCCEEDED' && result.attempts.length === 1)).toBe(true);
    const cancels = callsOf(cloudFormation.requests, 'CancelUpdateStack');
    expect(cancels).toHaveLength(1);
    expect(String(cancels[0].params.ClientRequestToken)).toMatch(TOKEN);
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    const records = await ledgerItems(dynamo);
    expect(records).toHaveLength(100);
    expect(countOutcomes(records)).toEqual({ CANCEL_REQUESTED: 1, ALREADY_STOPPED: 99 });
    const counted = await figures('100 alarms during a bake', inputs);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 100, deadLettered: 0, eventsLost: 0, duplicateActions: 0 });
  });
});

describe('CloudFormation failing during a bake', () => {
  it('carries throttling bursts on DescribeStacks and DescribeStackEvents through the SDK retries and cancels once', async () => {
    cloudFormation.faults
      .add({ operation: 'DescribeStacks', fault: 'throttle', times: 2 })
      .add({ operation: 'DescribeStackEvents', fault: 'throttle', times: 2 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].result).toMatchObject({ outcome: 'CANCEL_REQUESTED', stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    // Each throttled read was sent again by the SDK until it was answered.
    for (const operation of ['DescribeStacks', 'DescribeStackEvents']) {
      expect(callsOf(cloudFormation.requests, operation).slice(0, 3).map((request) => request.error)).toEqual(['Throttling', 'Throttling', undefined]);
    }
    expect(cancelsMade()).toEqual({ applied: 1, tokens: new Set([expect.stringMatching(TOKEN)]) });
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ CANCEL_REQUESTED: 1 });
    const counted = await figures('throttling bursts on the reads', [input]);
    expect(counted).toMatchObject({ faultsInjected: 4, actionCalls: 1, actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('cancels once when CancelUpdateStack answers a 500 before acting, through the SDK retry', async () => {
    cloudFormation.faults.add({ operation: 'CancelUpdateStack', fault: 'serverError', times: 1 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts[0].result).toMatchObject({ outcome: 'CANCEL_REQUESTED', stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(callsOf(cloudFormation.requests, 'CancelUpdateStack').map((request) => [request.applied ?? false, request.error]))
      .toEqual([[false, 'InternalFailure'], [true, undefined]]);
    expect(cancelsMade()).toEqual({ applied: 1, tokens: new Set([expect.stringMatching(TOKEN)]) });
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ CANCEL_REQUESTED: 1 });
    const counted = await figures('CancelUpdateStack 500', [input]);
    expect(counted).toMatchObject({ faultsInjected: 1, actionCalls: 2, actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it.each([
    ['its connection dropped', 'dropConnection' as const],
    ['a 500 in its place', 'serverError' as const],
  ])('cancels once when the answer to a cancel CloudFormation applied is lost (%s): the SDK retry carries the same token and changes nothing', async (how, fault) => {
    cloudFormation.faults.add({ operation: 'CancelUpdateStack', fault, afterApply: true, times: 1 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    // The retry is the same request to CloudFormation (CancelUpdateStack API
    // Reference, ClientRequestToken): it answers it as done, and the record
    // is the cancel this event made.
    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].result).toMatchObject({ outcome: 'CANCEL_REQUESTED' });
    const cancels = callsOf(cloudFormation.requests, 'CancelUpdateStack');
    expect(cancels.map((request) => [request.applied ?? false, request.status])).toEqual([[true, fault === 'serverError' ? 500 : undefined], [false, 200]]);
    expect(cancelsMade()).toEqual({ applied: 1, tokens: new Set([expect.stringMatching(TOKEN)]) });
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ CANCEL_REQUESTED: 1 });
    const counted = await figures(`cancel answer lost: ${how}`, [input]);
    expect(counted).toMatchObject({ faultsInjected: 1, actionCalls: 2, actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('cancels once and dead-letters every event of a 20-alarm storm while the ledger is unavailable', async () => {
    // Without the ledger no event can claim the update, so any of them may
    // call: the token, derived from the update, makes every call after the
    // first the same request to CloudFormation, which changes nothing.
    invoker = startInvoker(4, {}, await closedEndpoint());
    const inputs = events(20);

    const results = await Promise.all(inputs.map((input) => invoker!.invoke(input)));

    expect(results.every((result) => result.status === 'DEAD_LETTERED')).toBe(true);
    expect(invoker.deadLetters).toHaveLength(20);
    expect(invoker.deadLetters.every((letter) => letter.error.name === 'LedgerWriteError' && letter.attempts === 3)).toBe(true);
    expect(cancelsMade()).toEqual({ applied: 1, tokens: new Set([expect.stringMatching(TOKEN)]) });
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await ledgerItems(dynamo)).toEqual([]);
    const counted = await figures('20 alarms, ledger unavailable', inputs, 1);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 0, deadLettered: 20, eventsLost: 0, duplicateActions: 0 });
  });

  it('cancels nothing when the bake gate fails the update while a cancel is on its way, reads throttled now and then', async () => {
    // Every third read of the events is throttled: a fixed draw, so every run injects the same faults.
    let reads = 0;
    draw = () => (reads++ % 3 === 0 ? 0 : 1);
    cloudFormation.faults
      .add({ operation: 'DescribeStackEvents', fault: 'throttle', probability: 0.5 })
      // The first cancel is held back; meanwhile the gate fails and CloudFormation rolls the update back itself.
      .add({ operation: 'CancelUpdateStack', fault: 'latency', latencyMs: 500, times: 1 });
    invoker = startInvoker(4);
    const inputs = events(20);

    const pending = Promise.all(inputs.map((input) => invoker!.invoke(input)));
    await waitFor(() => callsOf(cloudFormation.requests, 'CancelUpdateStack').length === 1, 'the cancel to arrive');
    cloudFormation.state.releaseBake('Checkout', { success: false, reason: 'alarm checkout-5xx-rate entered ALARM during the bake' });
    const results = await pending;

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(callsOf(cloudFormation.requests, 'CancelUpdateStack')).toEqual([expect.objectContaining({ error: 'ValidationError' })]);
    expect(cancelsMade().applied).toBe(0);
    expect(statusAfterRollback()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ ALREADY_STOPPED: 20 });
    const counted = await figures('bake gate fails the update, 20 alarms, throttled reads', inputs);
    expect(counted).toMatchObject({ actionsApplied: 0, recorded: 20, eventsLost: 0, duplicateActions: 0 });
    expect(counted.faultsInjected).toBeGreaterThan(1);
  });
});
