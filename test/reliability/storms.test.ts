import { ScenarioFigures } from './figures';
import {
  alarmArn,
  alarmEvent,
  appConfigDeployment,
  appConfigTarget,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  recordScenario,
  ROLLBACK_NAME,
  ruleInput,
  startLedger,
  wallClock,
  useSharedClock,
} from './support';
import { AsyncInvoker, AsyncResult, LocalAppConfig, LocalDynamo, startLocalAppConfig } from '../../local';
import { RollbackInput } from '../../src/contract';

// Alarm storms: many events at once, spread over several execution
// environments that share one ledger, as Lambda scales out.
const SUITE = 'storms';
const INSTANCES = 8;
const APP = 'app0001';
const ENV = 'env0001';
const ALARMS = ['checkout-5xx-rate', 'checkout-latency-p99', 'checkout-errors', 'checkout-health'];
const MINUTE = 60_000;

let appConfig: LocalAppConfig;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let startedAt: number;

useSharedClock();

beforeEach(async () => {
  startedAt = wallClock();
  appConfig = await startLocalAppConfig();
  dynamo = await startLedger();
});

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all([appConfig.close(), dynamo.close()]);
});

const strategies = [
  { id: 'linear10', deploymentDurationInMinutes: 10, growthFactor: 10, finalBakeTimeInMinutes: 10 },
  { id: 'quick', deploymentDurationInMinutes: 0, growthFactor: 100, finalBakeTimeInMinutes: 0 },
];

function startInvoker(): AsyncInvoker {
  return invokerFor(handlerEnv({ appConfig: appConfig.endpoint, dynamo: dynamo.endpoint }), INSTANCES);
}

/** Sends every input at once; each is one asynchronous invocation. */
const storm = (inputs: readonly RollbackInput[]): Promise<AsyncResult[]> => Promise.all(inputs.map((input) => invoker!.invoke(input)));

const figures = (scenario: string, inputs: readonly RollbackInput[]): Promise<ScenarioFigures> => recordScenario({
  suite: SUITE,
  scenario,
  inputs,
  requests: appConfig.requests,
  action: 'StopDeployment',
  ledger: dynamo,
  deadLetters: invoker!.deadLetters,
  startedAt,
});

describe('one deployment, many alarms', () => {
  beforeEach(() => {
    appConfig.state.seed({
      applications: [{ id: APP, environments: [{ id: ENV }] }],
      deploymentStrategies: strategies,
      deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'linear10', startedAt: Date.now() - MINUTE }],
    });
  });
  const target = appConfigTarget({ applicationId: APP, environmentId: ENV, alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/${ENV}` });
  const events = (count: number) => Array.from({ length: count }, (_, index) =>
    ruleInput(target, alarmEvent({ alarmName: ALARMS[index % ALARMS.length], ...happeningNow() })));

  it(`makes exactly one StopDeployment call for 100 concurrent alarms of one deployment on ${INSTANCES} instances`, async () => {
    invoker = startInvoker();
    const inputs = events(100);

    const results = await storm(inputs);

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(callsOf(appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(appConfig.state.getDeployment(APP, ENV, 1).state).toBe('ROLLED_BACK');
    const records = await ledgerItems(dynamo);
    expect(records).toHaveLength(100);
    expect(countOutcomes(records)).toEqual({ ROLLED_BACK: 1, ALREADY_STOPPED: 99 });
    const counted = await figures('100 alarms, one deployment', inputs);
    expect(counted).toMatchObject({ recorded: 100, deadLettered: 0, eventsLost: 0, duplicateActions: 0 });
  });

  it('records redelivered events as DUPLICATE and still stops once when 20 of 100 alarms arrive twice', async () => {
    invoker = startInvoker();
    const originals = events(100);
    // EventBridge delivers at least once: the same event (same id) a second time, at the same moment.
    const inputs = [...originals, ...originals.slice(0, 20).map((input) => structuredClone(input))];

    const results = await storm(inputs);

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(callsOf(appConfig.requests, 'StopDeployment')).toHaveLength(1);
    const records = await ledgerItems(dynamo);
    expect(records).toHaveLength(120);
    expect(countOutcomes(records)).toEqual({ ROLLED_BACK: 1, ALREADY_STOPPED: 99, DUPLICATE: 20 });
    const counted = await figures('100 alarms, 20 redelivered', inputs);
    expect(counted).toMatchObject({ recorded: 120, deadLettered: 0, eventsLost: 0, duplicateActions: 0 });
  });
});

describe('many deployments at once', () => {
  const TARGETS = 20;
  // Target i: application app000<i % 2>, environment env00<i>, whose in-progress
  // deployment is number i + 1 (i completed ones before it), so a stop sent
  // to the wrong target cannot go unnoticed.
  const targets = Array.from({ length: TARGETS }, (_, index) => {
    const applicationId = `app000${index % 2}`;
    const environmentId = `env${String(index).padStart(4, '0')}`;
    return { index, applicationId, environmentId, deploymentNumber: index + 1, alarm: `alarm-${index}`, input: appConfigTarget({ applicationId, environmentId, alarmArns: [alarmArn(`alarm-${index}`)], name: `${ROLLBACK_NAME}/${environmentId}` }) };
  });

  beforeEach(() => {
    const longAgo = Date.now() - 48 * 60 * MINUTE;
    appConfig.state.seed({
      applications: ['app0000', 'app0001'].map((id) => ({
        id,
        environments: targets.filter((target) => target.applicationId === id).map((target) => ({ id: target.environmentId })),
      })),
      deploymentStrategies: strategies,
      deployments: targets.flatMap((target) => [
        ...Array.from({ length: target.index }, () => ({ applicationId: target.applicationId, environmentId: target.environmentId, deploymentStrategyId: 'quick', startedAt: longAgo })),
        { applicationId: target.applicationId, environmentId: target.environmentId, deploymentStrategyId: 'linear10', startedAt: Date.now() - MINUTE },
      ]),
    });
  });

  it(`stops each of ${TARGETS} targets alarming at once with its own identifiers, none crossed`, async () => {
    invoker = startInvoker();
    const inputs = targets.map((target) => ruleInput(target.input, alarmEvent({ alarmName: target.alarm, ...happeningNow() })));

    const results = await storm(inputs);

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    const stops = callsOf(appConfig.requests, 'StopDeployment');
    expect(stops.map(appConfigDeployment).sort()).toEqual(targets.map((target) => `${target.applicationId}/${target.environmentId}/${target.deploymentNumber}`).sort());
    for (const target of targets) {
      const deployments = appConfig.state.listDeployments(target.applicationId, target.environmentId);
      expect(deployments.map((deployment) => deployment.state)).toEqual(['ROLLED_BACK', ...Array(target.index).fill('COMPLETE')]);
    }
    const records = await ledgerItems(dynamo);
    expect(records).toHaveLength(TARGETS);
    for (const target of targets) {
      expect(records.filter((record) => record.pk === `TARGET#${target.input.name}`)).toEqual([expect.objectContaining({
        outcome: 'ROLLED_BACK',
        applicationId: target.applicationId,
        environmentId: target.environmentId,
        deploymentNumber: target.deploymentNumber,
      })]);
    }
    const counted = await figures(`${TARGETS} targets at once`, inputs);
    expect(counted).toMatchObject({ actionsApplied: TARGETS, recorded: TARGETS, eventsLost: 0, duplicateActions: 0 });
  });
});
