import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { shopStack } from './support';
import { alarmStateChange, formatStackUpdates, formatTimeline, runSimulation, Simulation } from '../../local/simulate';
import { AlarmRollback, RollbackTarget } from '../../src';
import { RollbackOutcome } from '../../src/contract';

// Stack targets through `simulate`: the stacks they guard in the local
// CloudFormation (seeded from the state file), the bundled handler's
// decision for each alarm event, and a bake gate the simulation runs as the
// Provider framework would.
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const arn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

let assembly: string;

beforeAll(() => {
  const { outdir, app, stack } = shopStack('simulate-stacks-');
  const alarm = (name: string) => new cloudwatch.Alarm(stack, name, {
    alarmName: `shop-${name.toLowerCase()}-errors`,
    metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: `${name}Errors` }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  const api = new Stack(app, 'ShopApi', { env: { account: ACCOUNT, region: REGION } });
  new sqs.Queue(api, 'Orders');
  const rollback = new AlarmRollback(stack, 'Rollback');
  // Stacks deployed elsewhere, by name: no gate, so only an update still in progress can be cancelled.
  for (const name of ['Edge', 'Search', 'Mail']) {
    rollback.addTarget(name, { alarms: [alarm(name)], target: RollbackTarget.cloudFormationStack({ stackName: `Shop${name}` }) });
  }
  rollback.addTarget('Api', { alarms: [alarm('Api')], target: RollbackTarget.cloudFormationStack({ stack: api, bake: Duration.minutes(10) }) });
  app.synth();
  assembly = outdir;
});

describe('simulate with stack targets', () => {
  it('cancels the update in flight, leaves one started after the alarm, and reports one that completed before the event as COMPLETED_BEFORE_STOP', async () => {
    const report = await runSimulation({
      assembly,
      state: {
        cloudFormation: {
          stacks: [
            { name: 'ShopEdge', status: 'UPDATE_COMPLETE', updateStartedMinutesAgo: 0.1 },
            { name: 'ShopSearch', updateStartedMinutesAgo: 0.1 },
            { name: 'ShopMail', updateStartedMinutesAgo: 3 },
          ],
        },
      },
      events: [
        { source: 'edge alarm', event: alarmStateChange({ alarmArn: arn('shop-edge-errors') }) },
        { source: 'search alarm, from before the update', event: alarmStateChange({ alarmArn: arn('shop-search-errors'), time: minutesAgo(5) }) },
        { source: 'mail alarm, during the update that completed since', event: alarmStateChange({ alarmArn: arn('shop-mail-errors'), time: minutesAgo(2.9) }) },
      ],
      runMinutes: 1,
    });

    const outcomes = report.events.map((event) => event.deliveries.map((delivery) => delivery.outcome));
    expect(outcomes).toEqual([[RollbackOutcome.CANCEL_REQUESTED], [RollbackOutcome.STARTED_AFTER_ALARM], [RollbackOutcome.COMPLETED_BEFORE_STOP]]);
    expect(report.events[0].deliveries[0].calls.map((call) => `${call.service} ${call.operation}`)).toContain('CloudFormation CancelUpdateStack');
    expect(report.events[1].deliveries[0].calls.map((call) => call.operation)).not.toContain('CancelUpdateStack');
    const status = Object.fromEntries(report.finalState.cloudFormation.map((stack) => [stack.stackName, stack.stackStatus]));
    expect(status).toMatchObject({ ShopEdge: 'UPDATE_ROLLBACK_COMPLETE', ShopSearch: 'UPDATE_COMPLETE', ShopMail: 'UPDATE_COMPLETE', ShopApi: 'CREATE_COMPLETE' });
    const timeline = formatTimeline(report);
    expect(timeline).toContain('  + Shop/Rollback/Edge/Rule -> CloudFormation stack ShopEdge (Shop/Rollback/Edge)');
    expect(timeline).toMatch(/stack update arn:aws:cloudformation:eu-west-1:111111111111:stack\/ShopEdge\/[0-9a-f-]+@[0-9T:.-]+Z: UPDATE_IN_PROGRESS -> UPDATE_ROLLBACK_IN_PROGRESS/);
    expect(timeline).toContain('  CloudFormation stack ShopEdge (Shop/Rollback/Edge): UPDATE_ROLLBACK_COMPLETE\n');
  });

  it('runs the bake gate of an update the state file starts: it holds the update, fails when the alarm fires, and the event that follows finds it stopped', async () => {
    const simulation = await Simulation.start({ assembly, state: { cloudFormation: { updates: [{ stack: 'ShopApi' }] } } });
    try {
      await simulation.advance(40_000);
      expect(simulation.cloudFormation.state.describeStack('ShopApi').stackStatus).toBe('UPDATE_IN_PROGRESS');
      expect(simulation.gates.map((gate) => `${gate.call} ${gate.answer}`)).toEqual(['onEvent BAKE', 'isComplete WAIT']);

      const firedAt = new Date(simulation.cloudFormation.state.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      simulation.cloudWatch.state.setAlarmState('shop-api-errors', 'ALARM', 'Threshold Crossed');
      await simulation.advance(90_000);
      const event = await simulation.deliver(alarmStateChange({ alarmArn: arn('shop-api-errors'), time: firedAt }), 'api alarm');

      expect(simulation.gates.map((gate) => `${gate.call} ${gate.answer}`)).toEqual(['onEvent BAKE', 'isComplete WAIT', 'isComplete FAILED']);
      expect(simulation.cloudFormation.state.describeStack('ShopApi').stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(simulation.cloudFormation.requests.filter((request) => request.operation === 'CancelUpdateStack')).toEqual([]);
      expect(event.deliveries.map((delivery) => delivery.outcome)).toEqual([RollbackOutcome.ALREADY_STOPPED]);
      const records = (await simulation.ledger()).filter((record) => record.target === 'Shop/Rollback/Api').map((record) => record.outcome);
      expect(records).toEqual([RollbackOutcome.CANCEL_REQUESTED, RollbackOutcome.ALREADY_STOPPED]);
      const report = await simulation.report();
      expect(report.stackUpdates).toEqual([expect.objectContaining({ stack: 'ShopApi', operationId: expect.any(String) })]);
      expect(formatStackUpdates(report.stackUpdates, report.gates).join('\n')).toMatch(
        /UpdateStack ShopApi: started[^]*bake gate of stack ShopApi \(Shop\/Rollback\/Api\): isComplete FAILED: .*alarm shop-api-errors entered a trigger state after the update started[^]*1 poll\(s\) of the bake gate of stack ShopApi let the bake go on/);
    } finally {
      await simulation.close();
    }
  });

  it('refuses an update of a stack no target guards and the state file does not list, naming the ones it knows', async () => {
    await expect(Simulation.start({ assembly, state: { cloudFormation: { updates: [{ stack: 'ShopPayments' }] } } })).rejects.toThrow(
      'state file: cloudFormation.updates names stack ShopPayments, which no stack target guards and cloudFormation.stacks does not list;'
      + ' add it to cloudFormation.stacks or name one of: ShopEdge, ShopSearch, ShopMail, ShopApi');
  });
});

describe('simulate delivers the local CloudFormation\'s status changes through the start rules', () => {
  let startAssembly: string;
  beforeAll(() => {
    const { outdir, app, stack } = shopStack('simulate-stack-start-');
    const rollback = new AlarmRollback(stack, 'Rollback');
    for (const name of ['Orders', 'Cart']) {
      const alarm = new cloudwatch.Alarm(stack, name, {
        alarmName: `shop-${name.toLowerCase()}-errors`,
        metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: `${name}Errors` }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      rollback.addTarget(name, { alarms: [alarm], target: RollbackTarget.cloudFormationStack({ stackName: `Shop${name}`, blockDeploymentsWhileAlarming: true }) });
    }
    app.synth();
    startAssembly = outdir;
  });

  it('cancels an update that starts while a watched alarm fires, through the start rule, and lets one start while the alarms are quiet', async () => {
    const simulation = await Simulation.start({
      assembly: startAssembly,
      state: {
        cloudWatch: { alarms: [{ alarm: 'shop-orders-errors', state: 'ALARM' }] },
        cloudFormation: { updates: [{ stack: 'ShopOrders' }, { stack: 'ShopCart' }] },
      },
    });
    try {
      await simulation.advance(60_000);
      const report = await simulation.report();

      // Each update's UPDATE_IN_PROGRESS, and nothing else: no rule matches the other status changes.
      expect(report.events.map((event) => event.source)).toEqual([
        'CloudFormation stack ShopOrders UPDATE_IN_PROGRESS', 'CloudFormation stack ShopCart UPDATE_IN_PROGRESS',
      ]);
      const [orders, cart] = report.events;
      expect(orders.deliveries.map((delivery) => delivery.rule)).toEqual(['Shop/Rollback/Orders/StartRule']);
      expect(orders.deliveries[0].outcome).toBe(RollbackOutcome.CANCEL_REQUESTED);
      expect(orders.deliveries[0].calls.map((call) => call.operation)).toContain('CancelUpdateStack');
      expect(cart.deliveries.map((delivery) => delivery.rule)).toEqual(['Shop/Rollback/Cart/StartRule']);
      expect(cart.deliveries[0].calls.map((call) => call.operation)).not.toContain('CancelUpdateStack');

      const records = report.ledger.filter((record) => String(record.target).startsWith('Shop/Rollback/'));
      expect(records.map((record) => [record.target, record.outcome, record.trigger])).toEqual([
        ['Shop/Rollback/Orders', RollbackOutcome.CANCEL_REQUESTED, 'DEPLOYMENT_START'],
      ]);
      const status = Object.fromEntries(report.finalState.cloudFormation.map((stack) => [stack.stackName, stack.stackStatus]));
      expect(status).toEqual({ ShopOrders: 'UPDATE_ROLLBACK_COMPLETE', ShopCart: 'UPDATE_COMPLETE' });
      expect(formatTimeline(report)).toContain('#1 CloudFormation stack ShopOrders UPDATE_IN_PROGRESS');
    } finally {
      await simulation.close();
    }
  });
});
