import { TARGET, useOneDeployment } from './one-deployment';
import {
  alarmEvent,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  loggedOutcomes,
  ruleInput,
  useSharedClock,
} from './support';
import { closedEndpoint, startLatencyProxy } from '../../local';

// The ledger (DynamoDB) unavailable, slow, or losing an answer: the rollback
// never waits on it. The stop is made once, the record reaches the log, and
// an event the ledger could not keep goes to the dead-letter queue.
useSharedClock();
const rig = useOneDeployment('ledger');

describe('the ledger failing', () => {
  it.each([
    ['a closed port', async () => ({ endpoint: await closedEndpoint(), faults: 1 })],
    ['a proxy that drops every connection', async () => {
      rig().proxy = await startLatencyProxy({ target: rig().dynamo.endpoint, faults: [{ operation: '*', fault: 'dropConnection' }] });
      return { endpoint: rig().proxy!.endpoint, faults: 0 };
    }],
    ['a proxy that answers after the 2 s request timeout', async () => {
      rig().proxy = await startLatencyProxy({ target: rig().dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs: 2_500 }] });
      return { endpoint: rig().proxy!.endpoint, faults: 0 };
    }],
  ])('rolls back, logs the record and dead-letters the event when DynamoDB is %s', async (scenario, ledgerEndpoint) => {
    const ledger = await ledgerEndpoint();
    rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: ledger.endpoint }));
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await rig().invoker!.invoke(input);

    expect(rig().deploymentState()).toBe('ROLLED_BACK');
    expect(loggedOutcomes(result.attempts[0].logs)).toEqual(['ROLLED_BACK']);
    expect(result.status).toBe('DEAD_LETTERED');
    expect(rig().invoker!.deadLetters).toEqual([{ input, error: expect.objectContaining({ name: 'LedgerWriteError' }), attempts: 3 }]);
    // The retries find the deployment stopped and never call StopDeployment again.
    expect(callsOf(rig().appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(result.attempts.slice(1).map((attempt) => loggedOutcomes(attempt.logs))).toEqual([['ALREADY_STOPPED'], ['ALREADY_STOPPED']]);
    const counted = await rig().figures(`DynamoDB: ${scenario}`, [input], ledger.faults);
    expect(counted).toMatchObject({ actionsApplied: 1, deadLettered: 1, eventsLost: 0, duplicateActions: 0 });
  });

  it('claims the event once when the answer to its claim write is lost and the SDK retries the write', async () => {
    rig().proxy = await startLatencyProxy({
      target: rig().dynamo.endpoint,
      faults: [{ operation: 'PutItem', fault: 'latency', afterApply: true, latencyMs: 2_500, times: 1 }],
    });
    rig().invoker = invokerFor(handlerEnv({ appConfig: rig().appConfig.endpoint, dynamo: rig().proxy!.endpoint }));
    const input = ruleInput(TARGET, alarmEvent(happeningNow()));

    const result = await rig().invoker!.invoke(input);

    // The write whose answer was lost is the event claim, and the SDK sent it again.
    const [lost, retried] = callsOf(rig().proxy!.requests, 'PutItem');
    expect(lost).toMatchObject({ applied: true, fault: { kind: 'latency', afterApply: true } });
    expect((lost.params.Item as Record<string, { S?: string }>).claimState).toEqual({ S: 'CLAIMED' });
    expect(retried.params).toEqual(lost.params);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.attempts[0].result).toMatchObject({ outcome: 'ROLLED_BACK' });
    expect(rig().deploymentState()).toBe('ROLLED_BACK');
    expect(countOutcomes(await ledgerItems(rig().dynamo))).toEqual({ ROLLED_BACK: 1 });
    const counted = await rig().figures('DynamoDB: claim answer lost', [input]);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 1, eventsLost: 0, duplicateActions: 0 });
  });
});
