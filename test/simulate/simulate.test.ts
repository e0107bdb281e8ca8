import { synthesizeTestApp, watchedAlarm } from './support';
import { alarmStateChange, Simulation, SimulationState } from '../../local/simulate';

// End to end through simulate's code path: the synthesized rules and the
// bundled handler of the assembly, against local AppConfig, Proton and DynamoDB.
let assembly: string;
let simulation: Simulation | undefined;

beforeAll(() => {
  assembly = synthesizeTestApp();
});

afterEach(async () => {
  await simulation?.close();
  simulation = undefined;
});

const deploymentStartedMinutesAgo = (startedMinutesAgo: number, extra: object = {}): SimulationState => ({
  appConfig: { deployments: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'shop-linear', startedMinutesAgo, ...extra }] },
});

async function start(state: SimulationState = {}): Promise<Simulation> {
  simulation = await Simulation.start({ assembly, state });
  return simulation;
}

const alarmOn = (sim: Simulation, suffix: string, state: 'ALARM' | 'OK' = 'ALARM') =>
  alarmStateChange({ alarmArn: watchedAlarm(sim, suffix), state });

const operations = (sim: Simulation, service: 'appConfig' | 'proton') => sim[service].requests.map((request) => request.operation);

describe('simulate: AppConfig targets', () => {
  it('rolls back a DEPLOYING deployment when the errors alarm enters ALARM', async () => {
    const sim = await start(deploymentStartedMinutesAgo(2));
    const report = await sim.deliver(alarmOn(sim, ':shop-errors'));

    expect(report.deliveries).toHaveLength(1);
    const [delivery] = report.deliveries;
    expect(delivery.target.name).toBe('Shop/Rollback/Config');
    expect(delivery).toMatchObject({ outcome: 'ROLLED_BACK', status: 'SUCCEEDED', result: { stateBefore: 'DEPLOYING', stateAfter: 'ROLLED_BACK' } });
    expect(delivery.calls.map((call) => call.operation)).toEqual(['ListDeployments', 'StopDeployment']);
    expect(delivery.ledger).toMatchObject({ outcome: 'ROLLED_BACK', target: 'Shop/Rollback/Config', deploymentNumber: 1 });
    // The alarm rules; a Proton target also has a rule on its environment's status changes.
    expect(report.unmatched.filter((rule) => rule.rule.endsWith('/Rule')).map((rule) => rule.target)).toEqual(['Shop/Rollback/Env']);
    expect(sim.finalState().appConfig[0].deployments).toEqual([{ number: 1, state: 'ROLLED_BACK', percentageComplete: 0 }]);
  });

  it('rolls back a BAKING deployment', async () => {
    const sim = await start(deploymentStartedMinutesAgo(12));
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'ROLLED_BACK', result: { stateBefore: 'BAKING', stateAfter: 'ROLLED_BACK' } });
  });

  it('reverts a deployment that completed inside the revert window', async () => {
    const sim = await start(deploymentStartedMinutesAgo(20));
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'REVERTED', result: { stateBefore: 'COMPLETE', stateAfter: 'REVERTED' } });
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('REVERTED');
  });

  it('records NO_ACTIVE_DEPLOYMENT for a deployment that completed outside the revert window', async () => {
    const sim = await start(deploymentStartedMinutesAgo(60));
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT' });
    expect(operations(sim, 'appConfig')).not.toContain('StopDeployment');
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('COMPLETE');
  });

  it('records NO_ACTIVE_DEPLOYMENT for an environment without deployments', async () => {
    const sim = await start();
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT' });
    expect(operations(sim, 'appConfig')).toEqual(['ListDeployments']);
  });

  it('records ALREADY_STOPPED for a deployment someone else stopped', async () => {
    const sim = await start(deploymentStartedMinutesAgo(3, { stoppedMinutesAgo: 1 }));
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'ALREADY_STOPPED', result: { stateBefore: 'ROLLED_BACK' } });
    expect(operations(sim, 'appConfig')).not.toContain('StopDeployment');
  });

  it('uses the ids the state file gives the stack\'s application and environment', async () => {
    const sim = await start({
      appConfig: {
        applications: [{ id: 'app1234', name: 'shop', environments: [{ id: 'env1234', name: 'prod' }] }],
        deployments: [{ application: 'app1234', environment: 'env1234', deploymentStrategy: 'shop-linear', startedMinutesAgo: 1 }],
      },
    });
    const [delivery] = (await sim.deliver(alarmOn(sim, ':shop-errors'))).deliveries;

    expect(delivery.target).toMatchObject({ applicationId: 'app1234', environmentId: 'env1234' });
    expect(delivery.outcome).toBe('ROLLED_BACK');
  });
});

describe('simulate: Proton targets', () => {
  it('requests the cancel of an IN_PROGRESS environment update', async () => {
    const sim = await start({ proton: { environments: [{ name: 'shop-prod', deploymentStatus: 'IN_PROGRESS', startedMinutesAgo: 1 }] } });
    const report = await sim.deliver(alarmOn(sim, 'alarm:Shop-Latency'));

    expect(report.deliveries.map((delivery) => delivery.target.name)).toEqual(['Shop/Rollback/Env']);
    expect(report.deliveries[0]).toMatchObject({ outcome: 'CANCEL_REQUESTED', result: { stateBefore: 'IN_PROGRESS', stateAfter: 'CANCELLING' } });
    expect(report.deliveries[0].calls.map((call) => call.operation)).toEqual(['GetEnvironment', 'CancelEnvironmentDeployment']);
    expect(sim.finalState().proton).toEqual([expect.objectContaining({ environmentName: 'shop-prod', deploymentStatus: 'CANCELLING' })]);
  });

  it('records NO_ACTIVE_DEPLOYMENT for an environment with nothing in progress', async () => {
    const sim = await start({ proton: { environments: [{ name: 'shop-prod' }] } });
    const [delivery] = (await sim.deliver(alarmOn(sim, 'alarm:Shop-Latency'))).deliveries;

    expect(delivery).toMatchObject({ outcome: 'NO_ACTIVE_DEPLOYMENT' });
    expect(operations(sim, 'proton')).toEqual(['GetEnvironment']);
  });
});

describe('simulate: which rules an event reaches', () => {
  it('delivers a composite alarm to every target that watches it', async () => {
    const sim = await start({
      ...deploymentStartedMinutesAgo(2),
      proton: { environments: [{ name: 'shop-prod', deploymentStatus: 'IN_PROGRESS' }] },
    });
    const report = await sim.deliver(alarmOn(sim, ':shop-health'));

    expect(report.deliveries.map((delivery) => [delivery.target.name, delivery.outcome])).toEqual([
      ['Shop/Rollback/Config', 'ROLLED_BACK'],
      ['Shop/Rollback/Env', 'CANCEL_REQUESTED'],
    ]);
  });

  it('matches no rule and calls nothing for an alarm no target watches', async () => {
    const sim = await start(deploymentStartedMinutesAgo(2));
    const unwatched = watchedAlarm(sim, ':shop-errors').replace(/shop-errors$/, 'shop-unwatched');
    const report = await sim.deliver(alarmStateChange({ alarmArn: unwatched }));

    expect(report.deliveries).toEqual([]);
    expect(report.unmatched.filter((rule) => rule.rule.endsWith('/Rule')).map((rule) => rule.reason))
      .toEqual(['resources does not match the rule\'s pattern', 'resources does not match the rule\'s pattern']);
    expect(sim.appConfig.requests).toEqual([]);
    expect(sim.proton.requests).toEqual([]);
    expect(await sim.ledger()).toEqual([]);
  });

  it('stops once through an OK -> ALARM -> OK -> ALARM flap', async () => {
    const sim = await start(deploymentStartedMinutesAgo(2));
    const outcomes: string[][] = [];
    for (const state of ['ALARM', 'OK', 'ALARM'] as const) {
      const report = await sim.deliver(alarmOn(sim, ':shop-errors', state));
      outcomes.push(report.deliveries.map((delivery) => String(delivery.outcome)));
    }

    expect(outcomes).toEqual([['ROLLED_BACK'], [], ['ALREADY_STOPPED']]);
    expect(operations(sim, 'appConfig').filter((operation) => operation === 'StopDeployment')).toHaveLength(1);
  });

  it('records a redelivered event as DUPLICATE and stops once', async () => {
    const sim = await start(deploymentStartedMinutesAgo(2));
    const event = alarmOn(sim, ':shop-errors');
    await sim.deliver(event);
    const again = await sim.deliver(event);

    expect(again.deliveries[0]).toMatchObject({ outcome: 'DUPLICATE' });
    expect(again.deliveries[0].calls.map((call) => call.operation)).not.toContain('StopDeployment');
    expect((await sim.ledger()).map((record) => record.outcome)).toEqual(['ROLLED_BACK', 'DUPLICATE']);
  });
});
