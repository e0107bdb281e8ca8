import {
  HandlerInstance,
  LocalAppConfig,
  LocalDynamo,
  LocalProton,
  startLocalAppConfig,
  startLocalProton,
} from '../../../local';
import { RollbackRecord } from '../../../src/contract';
import { handlerEnv } from '../../support/handler-env';
import { startLedger } from '../../support/synthesized-ledger';
import { alarmEvent, appConfigTarget, protonTarget, ruleInput } from '../support';

// The bundled handler against local AppConfig, Proton and DynamoDB, judging
// deployments at the alarm's state change: late events, the revert window,
// clock skew, and an event that loses the claim to a holder whose stop fails.
const APP = 'abc1234';
const ENV = 'env5678';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let appConfig: LocalAppConfig;
let proton: LocalProton;
let dynamo: LocalDynamo;
const instances: HandlerInstance[] = [];

beforeEach(async () => {
  appConfig = await startLocalAppConfig();
  proton = await startLocalProton();
  dynamo = await startLedger();
});

afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.kill()));
  await Promise.all([appConfig.close(), proton.close(), dynamo.close()]);
});

/** A fresh execution environment of the bundled handler, with the function timeout's claim lease. */
function handlerInstance(): HandlerInstance {
  const instance = HandlerInstance.start({
    env: handlerEnv({ appConfig: appConfig.endpoint, proton: proton.endpoint, dynamo: dynamo.endpoint, claimLeaseSeconds: 30 }),
  });
  instances.push(instance);
  return instance;
}

const strategies = [
  { id: 'linear10', deploymentDurationInMinutes: 10, growthFactor: 10, finalBakeTimeInMinutes: 10 },
  { id: 'quick', deploymentDurationInMinutes: 0, growthFactor: 100, finalBakeTimeInMinutes: 0 },
];

/** Seeds the environment's deployments: each starts at `startedAt`, with the strategy named. */
function seedDeployments(...deployments: Array<{ startedAt: number; strategy?: string; stoppedAt?: number }>): void {
  appConfig.state.seed({
    applications: [{ id: APP, environments: [{ id: ENV }] }],
    deploymentStrategies: strategies,
    deployments: deployments.map((deployment) => ({
      applicationId: APP,
      environmentId: ENV,
      deploymentStrategyId: deployment.strategy ?? 'linear10',
      startedAt: deployment.startedAt,
      stopped: deployment.stoppedAt === undefined ? undefined : { at: deployment.stoppedAt },
    })),
  });
}

const stops = () => appConfig.requests.filter((request) => request.operation === 'StopDeployment');
const result = (invocation: { result?: unknown }) => invocation.result as RollbackRecord;

describe('time is the alarm\'s', () => {
  it('leaves the fix alone when a late event arrives after the bad deployment was rolled back by hand', async () => {
    const now = Date.now();
    // Deployment 1 went bad at the alarm and was rolled back by hand; deployment 2 is the fix, deploying now.
    seedDeployments({ startedAt: now - 20 * MINUTE, stoppedAt: now - 10 * MINUTE }, { startedAt: now - 5 * MINUTE });
    const alarmAt = now - 15 * MINUTE;

    const invocation = await handlerInstance().invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: alarmAt })));

    expect(invocation.error).toBeUndefined();
    expect(result(invocation)).toMatchObject({
      outcome: 'STARTED_AFTER_ALARM',
      deploymentNumber: 2,
      stateBefore: 'DEPLOYING',
      alarmTime: new Date(alarmAt).toISOString(),
      alarmTimeSource: 'detail.state.timestamp',
    });
    expect(result(invocation).reason).toContain(`started at ${new Date(now - 5 * MINUTE).toISOString()}, after the alarm changed state at ${new Date(alarmAt).toISOString()}`);
    expect(result(invocation).alarmToActionMs).toBeUndefined();
    expect(stops()).toHaveLength(0);
    expect(appConfig.state.getDeployment(APP, ENV, 2).state).toBe('DEPLOYING');
  });

  it('falls back to the event time when the event has no state timestamp, and says so', async () => {
    const now = Date.now();
    seedDeployments({ startedAt: now - MINUTE });
    const event = alarmEvent({ changedAt: now - 5 * MINUTE });
    delete event.detail.state.timestamp;

    const invocation = await handlerInstance().invoke(ruleInput(appConfigTarget(), event));

    expect(result(invocation)).toMatchObject({ outcome: 'STARTED_AFTER_ALARM', alarmTimeSource: 'time', alarmTime: new Date(Date.parse(event.time)).toISOString() });
    expect(stops()).toHaveLength(0);
  });

  it('counts the revert window back from the alarm, so a late event reverts what an on-time one would have', async () => {
    const now = Date.now();
    // Completed 50 minutes before the alarm, and the event arrives 2 hours after it: inside a 1-hour window at the alarm.
    const alarmAt = now - 2 * HOUR;
    seedDeployments({ startedAt: alarmAt - 50 * MINUTE, strategy: 'quick' });

    const invocation = await handlerInstance().invoke(ruleInput(
      appConfigTarget({ revertCompletedWithinSeconds: 3600 }),
      alarmEvent({ changedAt: alarmAt }),
    ));

    expect(result(invocation)).toMatchObject({ outcome: 'REVERTED', stateBefore: 'COMPLETE', stateAfter: 'REVERTED', deploymentNumber: 1 });
    expect(result(invocation).reason).toContain('completed 3000 s before the alarm, inside the 3600 s revert window');
    expect(appConfig.state.getDeployment(APP, ENV, 1).state).toBe('REVERTED');
  });

  it('leaves a deployment that completed before the window opened, however soon the event arrives', async () => {
    const now = Date.now();
    seedDeployments({ startedAt: now - 70 * MINUTE, strategy: 'quick' });

    const invocation = await handlerInstance().invoke(ruleInput(
      appConfigTarget({ revertCompletedWithinSeconds: 3600 }),
      alarmEvent({ changedAt: now - 2 * MINUTE }),
    ));

    expect(result(invocation)).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT', stateAfter: 'COMPLETE' });
    expect(stops()).toHaveLength(0);
  });

  it('reverts a deployment that completed after the alarm, since it was in flight when the alarm changed state', async () => {
    const now = Date.now();
    // Started 20 minutes ago on a 10 + 10 minute strategy: completed just now; the alarm fired 5 minutes ago.
    seedDeployments({ startedAt: now - 21 * MINUTE });

    const invocation = await handlerInstance().invoke(ruleInput(
      appConfigTarget({ revertCompletedWithinSeconds: 60 }),
      alarmEvent({ changedAt: now - 5 * MINUTE }),
    ));

    expect(result(invocation)).toMatchObject({ outcome: 'REVERTED', stateBefore: 'COMPLETE', stateAfter: 'REVERTED' });
    expect(result(invocation).reason).toContain('after the alarm changed state');
  });

  it('classifies AppConfig\'s refusal to revert more than 72 hours after completion, which it counts itself', async () => {
    const now = Date.now();
    // In flight at the alarm (10 minutes into a 20-minute deployment), completed 73 hours ago.
    seedDeployments({ startedAt: now - 73 * HOUR - 20 * MINUTE });
    const target = appConfigTarget({ revertCompletedWithinSeconds: 3600 });

    const invocation = await handlerInstance().invoke(ruleInput(target, alarmEvent({ changedAt: now - 73 * HOUR - 10 * MINUTE })));

    expect(invocation.error).toBeUndefined();
    expect(result(invocation)).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT', stateBefore: 'COMPLETE', stateAfter: 'COMPLETE' });
    expect(result(invocation).reason).toContain('completed more than 72 hours ago');
    expect(stops()).toEqual([expect.objectContaining({ error: 'BadRequestException' })]);
  });

  it('records a latency of 0 and stops what the read shows when the state timestamp lies ahead of the handler clock', async () => {
    const now = Date.now();
    seedDeployments({ startedAt: now - MINUTE });

    // Ten minutes of skew: every deployment the read can show started before such a timestamp.
    const invocation = await handlerInstance().invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: now + 10 * MINUTE })));

    expect(result(invocation)).toMatchObject({ outcome: 'ROLLED_BACK', alarmToActionMs: 0, stateAfter: 'ROLLED_BACK' });
    const emf = invocation.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line._aws !== undefined)!;
    expect(emf.AlarmToActionLatency).toBe(0);
  });

  it('leaves a Proton deployment attempted after the alarm changed state alone', async () => {
    const now = Date.now();
    proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: now - MINUTE }] });

    const invocation = await handlerInstance().invoke(ruleInput(protonTarget(), alarmEvent({ changedAt: now - 5 * MINUTE })));

    expect(result(invocation)).toMatchObject({ outcome: 'STARTED_AFTER_ALARM', stateBefore: 'IN_PROGRESS' });
    expect(result(invocation).reason).toContain(`attempted at ${new Date(now - MINUTE).toISOString()}`);
    expect(proton.requests.map((request) => request.operation)).toEqual(['GetEnvironment']);
    expect(proton.state.getEnvironment('prod').deploymentStatus).toBe('IN_PROGRESS');
  });

  it('cancels the Proton deployment that was in flight at the alarm, also when the event arrives late', async () => {
    const now = Date.now();
    proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: now - 4 * MINUTE }] });

    const invocation = await handlerInstance().invoke(ruleInput(protonTarget(), alarmEvent({ changedAt: now - 2 * MINUTE })));

    expect(result(invocation)).toMatchObject({ outcome: 'CANCEL_REQUESTED', stateAfter: 'CANCELLING' });
  });
});
