import { ScenarioFigures } from './figures';
import {
  alarmArn,
  alarmEvent,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  protonTarget,
  recordScenario,
  ROLLBACK_NAME,
  ruleInput,
  startLedger,
  waitFor,
  wallClock,
  useSharedClock,
} from './support';
import { AsyncInvoker, LocalDynamo, LocalProton, startLocalProton } from '../../local';
import { RollbackInput } from '../../src/contract';

// Proton environment targets under the same faults: the cancel is made once,
// and a cancel Proton refuses because the update ended first is classified.
const SUITE = 'proton';
const DEPLOYMENT_MS = 5 * 60_000;
const TARGET = protonTarget({ environmentName: 'prod', alarmArns: [alarmArn('checkout-5xx-rate')], name: `${ROLLBACK_NAME}/prod` });

let proton: LocalProton;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let startedAt: number;

useSharedClock();
/** The draw for fault rules with a probability; a test may fix it. */
let draw: () => number;

beforeEach(async () => {
  startedAt = wallClock();
  draw = Math.random;
  proton = await startLocalProton({ deploymentDurationMs: DEPLOYMENT_MS, random: () => draw() });
  proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: Date.now() - 60_000 }] });
  dynamo = await startLedger();
});

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all([proton.close(), dynamo.close()]);
});

const startInvoker = (instances = 1) => invokerFor(handlerEnv({ proton: proton.endpoint, dynamo: dynamo.endpoint }), instances);

const figures = (scenario: string, inputs: readonly RollbackInput[]): Promise<ScenarioFigures> => recordScenario({
  suite: SUITE,
  scenario,
  inputs,
  requests: proton.requests,
  action: 'CancelEnvironmentDeployment',
  ledger: dynamo,
  deadLetters: invoker!.deadLetters,
  startedAt,
});

describe('Proton failing', () => {
  it('carries throttling bursts on the read and the cancel through the SDK retries and cancels once', async () => {
    proton.faults
      .add({ operation: 'GetEnvironment', fault: 'throttle', times: 2 })
      .add({ operation: 'CancelEnvironmentDeployment', fault: 'throttle', times: 2 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts[0].result).toMatchObject({ outcome: 'CANCEL_REQUESTED', stateAfter: 'CANCELLING' });
    expect(callsOf(proton.requests, 'GetEnvironment')).toHaveLength(3);
    expect(callsOf(proton.requests, 'CancelEnvironmentDeployment')).toHaveLength(3);
    expect(proton.state.getEnvironment('prod').deploymentStatus).toBe('CANCELLING');
    const counted = await figures('throttling bursts', [input]);
    expect(counted).toMatchObject({ faultsInjected: 4, actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('records NO_ACTIVE_DEPLOYMENT, not FAILED, when Proton refuses the cancel because the update finished first', async () => {
    // The cancel is held back; meanwhile the update reaches its end and SUCCEEDS.
    proton.faults.add({ operation: 'CancelEnvironmentDeployment', fault: 'latency', latencyMs: 500, times: 1 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const pending = invoker.invoke(input);
    await waitFor(() => callsOf(proton.requests, 'CancelEnvironmentDeployment').length === 1, 'the cancel to arrive');
    proton.state.advance(DEPLOYMENT_MS);
    const result = await pending;

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].result).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT', stateBefore: 'IN_PROGRESS', stateAfter: 'SUCCEEDED' });
    expect(callsOf(proton.requests, 'CancelEnvironmentDeployment')).toEqual([expect.objectContaining({ error: 'ValidationException' })]);
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ NO_ACTIVE_DEPLOYMENT: 1 });
    const counted = await figures('cancel refused, update finished first', [input]);
    expect(counted).toMatchObject({ actionsApplied: 0, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('cancels once and classifies the SDK retry when the cancel connection drops after Proton applied it', async () => {
    proton.faults.add({ operation: 'CancelEnvironmentDeployment', fault: 'dropConnection', afterApply: true, times: 1 });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts[0].result).toMatchObject({ outcome: 'ALREADY_STOPPED', stateAfter: 'CANCELLING' });
    expect(callsOf(proton.requests, 'CancelEnvironmentDeployment').map((request) => [request.applied ?? false, request.error]))
      .toEqual([[true, undefined], [false, 'ValidationException']]);
    const counted = await figures('cancel answer lost', [input]);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('dead-letters the event after FAILED attempts when the cancel is throttled past the SDK retries', async () => {
    proton.faults.add({ operation: 'CancelEnvironmentDeployment', fault: 'throttle' });
    invoker = startInvoker();
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await invoker.invoke(input);

    expect(result.status).toBe('DEAD_LETTERED');
    expect(invoker.deadLetters).toEqual([{ input, error: expect.objectContaining({ name: 'ThrottlingException' }), attempts: 3 }]);
    expect(proton.state.getEnvironment('prod').deploymentStatus).toBe('IN_PROGRESS');
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ FAILED: 1 });
    const counted = await figures('cancel throttled past retries', [input]);
    expect(counted).toMatchObject({ faultsInjected: 9, actionsApplied: 0, deadLettered: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('cancels once for 30 concurrent alarms of one environment on 4 instances, GetEnvironment throttled now and then', async () => {
    // Every third read is throttled: a fixed draw, so every run injects the same faults.
    let reads = 0;
    draw = () => (reads++ % 3 === 0 ? 0 : 1);
    proton.faults.add({ operation: 'GetEnvironment', fault: 'throttle', probability: 0.5 });
    invoker = startInvoker(4);
    const inputs = Array.from({ length: 30 }, () => ruleInput(TARGET, alarmEvent(happeningNow())));

    const results = await Promise.all(inputs.map((input) => invoker!.invoke(input)));

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(callsOf(proton.requests, 'CancelEnvironmentDeployment')).toHaveLength(1);
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ CANCEL_REQUESTED: 1, ALREADY_STOPPED: 29 });
    const counted = await figures('30 alarms, one environment, throttled reads', inputs);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 30, eventsLost: 0, duplicateActions: 0 });
    expect(counted.faultsInjected).toBeGreaterThan(0);
  });
});
