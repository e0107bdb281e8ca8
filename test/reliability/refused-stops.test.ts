import { ScenarioFigures } from './figures';
import {
  alarmArn,
  alarmEvent,
  appConfigTarget,
  appliedOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  loggedOutcomes,
  protonTarget,
  recordScenario,
  ROLLBACK_NAME,
  ruleInput,
  startLedger,
  useSharedClock,
  wallClock,
} from './support';
import { AsyncInvoker, AsyncResult, LocalAppConfig, LocalDynamo, LocalProton, startLocalAppConfig, startLocalProton } from '../../local';
import { RollbackInput } from '../../src/contract';
import { seedAppConfigDeployment } from '../support/appconfig-deployment';

// While the service refuses every stop (throttling past the SDK retries),
// no event of a burst may pass for a stop: each one ends FAILED and on the
// dead-letter queue, the one that held the claim and the ones that waited
// for it alike. Once the service recovers, the dead letters are redriven and
// exactly one stop is made.
const SUITE = 'refused-stops';
const INSTANCES = 4;
const BURST = 10;
const APP = 'app0001';
const ENV = 'env0001';
const ALARMS = ['checkout-5xx-rate', 'checkout-latency-p99', 'checkout-errors', 'checkout-health'];
const MINUTE = 60_000;

let appConfig: LocalAppConfig;
let proton: LocalProton;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let startedAt: number;

useSharedClock();

beforeEach(async () => {
  startedAt = wallClock();
  appConfig = await startLocalAppConfig();
  seedAppConfigDeployment(appConfig, APP, ENV, Date.now() - MINUTE);
  proton = await startLocalProton();
  proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: Date.now() - MINUTE }] });
  dynamo = await startLedger();
  const env = handlerEnv({ appConfig: appConfig.endpoint, proton: proton.endpoint, dynamo: dynamo.endpoint, claimLeaseSeconds: 30 });
  invoker = invokerFor(env, INSTANCES);
});

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all([appConfig.close(), proton.close(), dynamo.close()]);
});

const all = (inputs: readonly RollbackInput[]): Promise<AsyncResult[]> => Promise.all(inputs.map((input) => invoker!.invoke(input)));

/** Every outcome the handler logged, over every attempt of every result. */
const outcomesOf = (results: readonly AsyncResult[]) =>
  results.flatMap((result) => result.attempts.flatMap((attempt) => loggedOutcomes(attempt.logs)));

/** The dead letters sent back to the function, as a redrive from the dead-letter queue does. */
const redrive = () => invoker!.deadLetters.map((letter) => letter.input as RollbackInput);

const figures = (scenario: string, inputs: readonly RollbackInput[], service: 'appconfig' | 'proton'): Promise<ScenarioFigures> => recordScenario({
  suite: SUITE,
  scenario,
  inputs,
  requests: service === 'appconfig' ? appConfig.requests : proton.requests,
  action: service === 'appconfig' ? 'StopDeployment' : 'CancelEnvironmentDeployment',
  ledger: dynamo,
  deadLetters: invoker!.deadLetters,
  startedAt,
});

describe.each([
  {
    service: 'appconfig' as const,
    operation: 'StopDeployment',
    target: appConfigTarget({ applicationId: APP, environmentId: ENV, alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/${ENV}` }),
    sameEnvironment: appConfigTarget({ applicationId: APP, environmentId: ENV, alarmArns: ALARMS.map(alarmArn), name: `Stack/Rollback/${ENV}-again` }),
    acted: 'ROLLED_BACK',
    state: () => appConfig.state.getDeployment(APP, ENV, 1).state,
    running: 'DEPLOYING',
    stopped: 'ROLLED_BACK',
    faults: () => appConfig.faults,
    requests: () => appConfig.requests,
  },
  {
    service: 'proton' as const,
    operation: 'CancelEnvironmentDeployment',
    target: protonTarget({ environmentName: 'prod', alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/prod` }),
    sameEnvironment: { ...protonTarget({ environmentName: 'prod', alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/prod` }), name: 'Stack/Rollback/prod-again' },
    acted: 'CANCEL_REQUESTED',
    state: () => proton.state.getEnvironment('prod').deploymentStatus,
    running: 'IN_PROGRESS',
    stopped: 'CANCELLING',
    faults: () => proton.faults,
    requests: () => proton.requests,
  },
])('$service refusing every $operation', ({ service, operation, target, sameEnvironment, acted, state, running, stopped, faults, requests }) => {
  it(`fails and dead-letters every event of a burst of ${BURST}, records no ALREADY_STOPPED, then makes one call once the service recovers`, async () => {
    faults().add({ operation, fault: 'throttle' });
    const burst = Array.from({ length: BURST }, (_, index) =>
      ruleInput(target, alarmEvent({ alarmName: ALARMS[index % ALARMS.length], ...happeningNow() })));

    const refused = await all(burst);

    expect(refused.map((result) => result.status)).toEqual(Array(BURST).fill('DEAD_LETTERED'));
    expect(new Set(outcomesOf(refused))).toEqual(new Set(['FAILED']));
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ FAILED: BURST });
    expect(appliedOf(requests(), operation)).toHaveLength(0);
    expect(state()).toBe(running);

    faults().clear();
    const redriven = redrive();
    const recovered = await all(redriven);

    expect(recovered.map((result) => result.status)).toEqual(Array(BURST).fill('SUCCEEDED'));
    expect(appliedOf(requests(), operation)).toHaveLength(1);
    expect(state()).toBe(stopped);
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ [acted]: 1, ALREADY_STOPPED: BURST - 1 });
    const counted = await figures(`${service}: burst of ${BURST} while every call is refused, then redriven`, [...burst, ...redriven], service);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: BURST, deadLettered: BURST, eventsLost: 0, duplicateActions: 0 });
  });

  it('fails both targets of one alarm on the same environment while refused, then makes one call', async () => {
    faults().add({ operation, fault: 'throttle' });
    const event = alarmEvent({ alarmName: ALARMS[0], ...happeningNow() });
    const inputs = [ruleInput(target, event), ruleInput(sameEnvironment, event)];

    const refused = await all(inputs);

    expect(refused.map((result) => result.status)).toEqual(['DEAD_LETTERED', 'DEAD_LETTERED']);
    expect(new Set(outcomesOf(refused))).toEqual(new Set(['FAILED']));
    expect(appliedOf(requests(), operation)).toHaveLength(0);

    faults().clear();
    const redriven = redrive();
    const recovered = await all(redriven);

    expect(recovered.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(appliedOf(requests(), operation)).toHaveLength(1);
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ [acted]: 1, ALREADY_STOPPED: 1 });
    const counted = await figures(`${service}: one alarm, two targets on one environment, refused then redriven`, [...inputs, ...redriven], service);
    expect(counted).toMatchObject({ actionsApplied: 1, recorded: 2, deadLettered: 2, eventsLost: 0, duplicateActions: 0 });
  });
});
