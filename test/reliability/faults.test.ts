import { TARGET, useOneDeployment } from './one-deployment';
import {
  alarmEvent,
  appliedOf,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  loggedOutcomes,
  ruleInput,
  waitFor,
  useSharedClock,
} from './support';
import { FaultRule } from '../../local';
import { startNotificationSink } from '../../local/simulate/notification-sink';

// The bundled handler, behind Lambda's asynchronous invocation (retries, then
// the dead-letter queue), against a local AppConfig that fails on purpose and
// execution environments that die. Every scenario ends with the same two
// figures at zero: events lost and stops carried out twice.
useSharedClock();
const rig = useOneDeployment('faults');

describe('AppConfig failing', () => {
  it('carries throttling bursts on the read and the stop through the SDK retries and rolls back once', async () => {
    rig().appConfig.faults
      .add({ operation: 'ListDeployments', fault: 'throttle', times: 2 })
      .add({ operation: 'StopDeployment', fault: 'throttle', times: 2 });
    rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint }));
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await rig().invoker!.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].result).toMatchObject({ outcome: 'ROLLED_BACK', stateAfter: 'ROLLED_BACK' });
    expect(callsOf(rig().appConfig.requests, 'ListDeployments')).toHaveLength(3);
    expect(callsOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(3);
    expect(appliedOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(countOutcomes(await ledgerItems(rig().dynamo))).toEqual({ ROLLED_BACK: 1 });
    const counted = await rig().figures('throttling bursts', [input]);
    expect(counted).toMatchObject({ faultsInjected: 4, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it.each<[string, FaultRule]>([
    ['StopDeployment throttling', { operation: 'StopDeployment', fault: 'throttle' }],
    ['a run of ListDeployments 500s', { operation: 'ListDeployments', fault: 'serverError' }],
  ])('records FAILED, retries and dead-letters the event when %s outlasts the SDK retries', async (scenario, rule) => {
    rig().appConfig.faults.add(rule);
    rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint }));
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await rig().invoker!.invoke(input);

    expect(result.status).toBe('DEAD_LETTERED');
    expect(result.attempts.map((attempt) => loggedOutcomes(attempt.logs))).toEqual([['FAILED'], ['FAILED'], ['FAILED']]);
    expect(rig().invoker!.deadLetters).toEqual([{ input, error: expect.objectContaining({ name: rule.fault === 'throttle' ? 'ThrottlingException' : 'InternalServerException' }), attempts: 3 }]);
    // Three Lambda attempts of three SDK attempts each, and nothing was stopped.
    expect(callsOf(rig().appConfig.requests, rule.operation)).toHaveLength(9);
    expect(appliedOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(0);
    expect(rig().deploymentState()).toBe('DEPLOYING');
    expect(countOutcomes(await ledgerItems(rig().dynamo))).toEqual({ FAILED: 1 });
    const counted = await rig().figures(scenario, [input]);
    expect(counted).toMatchObject({ faultsInjected: 9, recorded: 0, deadLettered: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('publishes the FAILED of an event that outlasts every Lambda attempt once, while each attempt records it', async () => {
    const sink = await startNotificationSink();
    try {
      rig().appConfig.faults.add({ operation: 'StopDeployment', fault: 'throttle' });
      const topicArn = 'arn:aws:sns:us-east-1:123456789012:rollbacks';
      rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint, sns: sink.endpoint, topicArn }));
      const input = ruleInput(TARGET, alarmEvent(happeningNow()));

      const result = await rig().invoker!.invoke(input);

      expect(result.status).toBe('DEAD_LETTERED');
      expect(result.attempts.map((attempt) => loggedOutcomes(attempt.logs))).toEqual([['FAILED'], ['FAILED'], ['FAILED']]);
      expect(sink.notifications).toEqual([expect.objectContaining({ topicArn, subject: expect.stringMatching(/^FAILED: /) })]);
      // The record and the claim on its notification; the claim stays out of the records.
      expect(countOutcomes(await ledgerItems(rig().dynamo))).toEqual({ FAILED: 1 });
    } finally {
      await sink.close();
    }
  });

  it.each<[string, FaultRule]>([
    ['a StopDeployment answer later than the 5 s request timeout', { operation: 'StopDeployment', fault: 'latency', afterApply: true, latencyMs: 6_000, times: 1 }],
    ['a StopDeployment connection dropped after the stop', { operation: 'StopDeployment', fault: 'dropConnection', afterApply: true, times: 1 }],
  ])('makes one stop and classifies the SDK retry when %s', async (scenario, rule) => {
    rig().appConfig.faults.add(rule);
    rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint }));
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await rig().invoker!.invoke(input);

    expect(result.status).toBe('SUCCEEDED');
    // The SDK retried the stop; AppConfig refused the retry, and the re-read found the deployment stopped.
    expect(result.attempts[0].result).toMatchObject({ outcome: 'ALREADY_STOPPED', stateAfter: 'ROLLED_BACK' });
    expect(callsOf(rig().appConfig.requests, 'StopDeployment').map((request) => [request.applied ?? false, request.error]))
      .toEqual([[true, undefined], [false, 'BadRequestException']]);
    expect(callsOf(rig().appConfig.requests, 'GetDeployment')).toHaveLength(1);
    expect(rig().deploymentState()).toBe('ROLLED_BACK');
    const counted = await rig().figures(scenario, [input]);
    expect(counted).toMatchObject({ faultsInjected: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });
});

describe('the execution environment dying', () => {
  it('completes the record of a stop made by a killed instance on the retry, without a second stop', async () => {
    // The stop is applied at once, its answer held back so the instance can be killed before the ledger write.
    rig().appConfig.faults.add({ operation: 'StopDeployment', fault: 'latency', afterApply: true, latencyMs: 4_000, times: 1 });
    const env = handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint, claimLeaseSeconds: 1 });
    rig().invoker = invokerFor(env, 1, { retryDelayMs: 1_500 });
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const pending = rig().invoker!.invoke(input);
    await waitFor(() => appliedOf(rig().appConfig.requests, 'StopDeployment').length === 1, 'the stop to be applied');
    await rig().invoker!.pool[0].kill();
    const result = await pending;

    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts.map((attempt) => attempt.error?.name ?? (attempt.result as { outcome: string }).outcome))
      .toEqual(['ExecutionEnvironmentDied', 'ROLLED_BACK']);
    expect(rig().invoker!.pool).toHaveLength(2);
    expect(callsOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(await ledgerItems(rig().dynamo)).toEqual([expect.objectContaining({ outcome: 'ROLLED_BACK', claimState: 'RECORDED', deploymentNumber: 1 })]);
    const counted = await rig().figures('instance killed after the stop', [input], 1);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('completes the record when EventBridge redelivers the event of a killed instance after the claim lease', async () => {
    rig().appConfig.faults.add({ operation: 'StopDeployment', fault: 'latency', afterApply: true, latencyMs: 4_000, times: 1 });
    const env = handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().dynamo.endpoint, claimLeaseSeconds: 1 });
    // Lambda does not retry here, so only the redelivery can finish the work.
    rig().invoker = invokerFor(env, 1, { retryAttempts: 0 });
    const event = alarmEvent(happeningNow());
    const input = ruleInput(TARGET, event);

    const first = rig().invoker!.invoke(input);
    await waitFor(() => appliedOf(rig().appConfig.requests, 'StopDeployment').length === 1, 'the stop to be applied');
    await rig().invoker!.pool[0].kill();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const replay = await rig().invoker!.invoke(ruleInput(TARGET, event));

    expect(replay.status).toBe('SUCCEEDED');
    expect(replay.attempts[0].result).toMatchObject({ outcome: 'ROLLED_BACK', stateBefore: 'ROLLED_BACK' });
    expect(callsOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(await ledgerItems(rig().dynamo)).toEqual([expect.objectContaining({ outcome: 'ROLLED_BACK', claimState: 'RECORDED' })]);
    // The killed attempt went to the dead-letter queue and the replay recorded it: both deliveries accounted for.
    const counted = await rig().figures('instance killed, event redelivered', [input, input], 1);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 1, deadLettered: 1, eventsLost: 0, duplicateActions: 0 });
  });
});
