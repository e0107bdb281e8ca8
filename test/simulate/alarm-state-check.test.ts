import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { shopAppConfig, shopStack } from './support';
import { alarmStateChange, formatTimeline, runSimulation, Simulation } from '../../local/simulate';
import { AlarmRollback, RollbackTarget } from '../../src';

/**
 * An app with one AppConfig target and its alarm-state check's extension
 * and association (actions AT_DEPLOYMENT_TICK and PRE_START_DEPLOYMENT on the
 * bundled asset's alarm-state check, parameters Target and Alarms1). Where
 * the construct does not make them, stand-ins of the same shape are added by
 * hand, so simulate's wiring is tested either way.
 */
function synthesize(blockStart: boolean, dryRun = false): string {
  const { outdir, app, stack } = shopStack('simulate-check-');
  const { application, environment } = shopAppConfig(stack);
  const errors = new cloudwatch.Alarm(stack, 'Errors', {
    alarmName: 'shop-errors', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
  });
  const rollback = new AlarmRollback(stack, 'Rollback', { dryRun });
  // Spread, so the option compiles where AppConfigTargetOptions does not have it yet.
  const gate = { blockDeploymentsWhileAlarming: blockStart };
  rollback.addTarget('Config', { alarms: [errors], target: RollbackTarget.appConfig({ environment, ...gate }) });
  if (rollback.node.findAll().some((c) => c instanceof appconfig.CfnExtension)) {
    app.synth();
    return outdir;
  }

  const role = new iam.Role(stack, 'InvokeRole', { assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com') });
  // Actions is a JSON property of the L1: its keys go to CloudFormation as written.
  const action = (name: string) => [{ Name: name, Uri: rollback.handler.functionArn, RoleArn: role.roleArn }];
  const extension = new appconfig.CfnExtension(stack, 'Check', {
    name: 'shop-alarm-state',
    actions: { AT_DEPLOYMENT_TICK: action('tick'), PRE_START_DEPLOYMENT: action('start') },
    parameters: { Target: { required: true }, Alarms1: { required: false } },
  });
  new appconfig.CfnExtensionAssociation(stack, 'CheckProd', {
    extensionIdentifier: extension.ref,
    resourceIdentifier: environment.environmentArn,
    parameters: {
      Target: stack.toJsonString({
        name: 'Shop/Rollback/Config',
        applicationId: application.applicationId,
        environmentId: environment.environmentId,
        triggerStates: ['ALARM'],
        actOnPausedAlarms: false,
        blockStart,
      }),
      Alarms1: stack.toJsonString([errors.alarmArn]),
    },
  });
  app.synth();
  return outdir;
}

const START = { appConfig: { starts: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'shop-linear' }] } };

describe('simulate runs the alarm-state check of the stacks\' AppConfig extension', () => {
  let simulation: Simulation | undefined;
  afterEach(async () => {
    await simulation?.close();
    simulation = undefined;
  });

  it('rolls back a deployment started while an alarm fires at its first tick, and records it', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(false),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } },
    });
    await simulation.advance(60_000);
    const report = await simulation.report();

    expect(report.starts).toEqual([expect.objectContaining({ deploymentNumber: 1 })]);
    // No target blocks starts, so the extension has no start action: the start never waits on the check.
    expect(report.checks.map((c) => [c.actionPoint, c.decision])).toEqual([
      ['AT_DEPLOYMENT_TICK', 'ROLL_BACK'],
    ]);
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'ROLLED_BACK' })]);
    expect(report.ledger).toEqual([expect.objectContaining({ outcome: 'ROLLED_BACK', trigger: 'DEPLOYMENT_TICK', deploymentNumber: 1 })]);
    expect(formatTimeline(report)).toMatch(/tick of deployment 1 on AppConfig \w+\/\w+ \(Shop\/Rollback\/Config\): ROLL_BACK/);
  });

  it('refuses the start while an alarm fires when the target blocks starts, and records DEPLOYMENT_BLOCKED', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } },
    });
    const report = await simulation.report();

    expect(report.starts).toEqual([expect.objectContaining({ refused: expect.stringContaining('PRE_START_DEPLOYMENT') })]);
    expect(report.finalState.appConfig[0].deployments).toEqual([]);
    expect(report.ledger).toEqual([expect.objectContaining({ outcome: 'DEPLOYMENT_BLOCKED', trigger: 'DEPLOYMENT_START' })]);
    expect(formatTimeline(report)).toMatch(/start on AppConfig \w+\/\w+: REFUSED/);
  });

  it('puts the state of a delivered alarm event into the local CloudWatch, so a later start check reads it', async () => {
    simulation = await Simulation.start({ assembly: synthesize(true), state: {} });
    const arn = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors';
    await simulation.deliver(alarmStateChange({ alarmArn: arn, reason: 'Threshold Crossed' }));
    const [application] = simulation.appConfigResources.applications;
    const start = await simulation.startDeployment(application.id, application.environments[0].id, {
      deploymentStrategyId: 'AppConfig.AllAtOnce', configurationProfileId: 'p', configurationVersion: '1',
    });

    expect(simulation.cloudWatch.state.getAlarm('shop-errors').state).toBe('ALARM');
    expect(start.refused).toMatch(/PRE_START_DEPLOYMENT/);
  });

  it('runs the ticks of --run-minutes after the events', async () => {
    const report = await runSimulation({
      assembly: synthesize(false), state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } }, events: [], runMinutes: 2,
    });

    expect(report.checks.map((c) => c.decision)).toEqual(['ROLL_BACK']);
  });

  it('allows the start while the firing alarm\'s actions are suppressed', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM', actionsSuppressedBy: 'WaitPeriod' }] } },
    });
    const report = await simulation.report();

    expect(report.starts).toEqual([expect.objectContaining({ deploymentNumber: 1 })]);
    expect(report.checks.map((c) => c.decision)).toEqual(['ALLOWED']);
  });

  it('lets the deployment continue while the firing alarm\'s actions are disabled', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM', actionsEnabled: false }] } },
    });
    await simulation.advance(3 * 60_000);
    const report = await simulation.report();

    expect(report.checks.map((c) => c.decision)).toEqual(['ALLOWED', 'CONTINUE', 'CONTINUE', 'CONTINUE']);
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'DEPLOYING' })]);
    expect(report.ledger).toEqual([]);
  });

  it('reports a dry-run tick under DRY_RUN, never among the ticks that found the alarms quiet', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(false, true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } },
    });
    await simulation.advance(2 * 60_000);
    const report = await simulation.report();

    const ticks = report.checks.filter((c) => c.actionPoint === 'AT_DEPLOYMENT_TICK');
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toMatchObject({ decision: 'CONTINUE', outcome: 'DRY_RUN' });
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'DEPLOYING' })]);
    const timeline = formatTimeline(report);
    expect(timeline).toMatch(/tick of deployment 1 on AppConfig \w+\/\w+ \(Shop\/Rollback\/Config\): DRY_RUN \(answered CONTINUE, the deployment went on\): dry run: would have/);
    // A dry run records and notifies once per deployment; later dry-run ticks
    // are counted under the check's own words, never as quiet ticks.
    expect(timeline).not.toMatch(/tick\(s\) (found no alarm firing|let the deployment continue: no alarm)/);
    expect(timeline).not.toMatch(/tick\(s\) let the deployment continue: (?!dry run: would have rolled back)/);
  });

  it('reports a start the dry-run check would have refused as started under DRY_RUN, once', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true, true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } },
    });
    const report = await simulation.report();

    expect(report.starts).toEqual([expect.objectContaining({ deploymentNumber: 1 })]);
    expect(report.checks).toEqual([expect.objectContaining({ actionPoint: 'PRE_START_DEPLOYMENT', decision: 'ALLOWED', outcome: 'DRY_RUN' })]);
    const lines = formatTimeline(report).split('\n').filter((line) => line.includes('start'));
    expect(lines).toEqual([expect.stringMatching(
      /start on AppConfig \w+\/\w+: deployment 1 started; DRY_RUN: the alarm-state check of Shop\/Rollback\/Config would have refused it: dry run: /)]);
  });

  it('reports a refused start once, with the check\'s reason and outcome', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] } },
    });
    const lines = formatTimeline(await simulation.report()).split('\n').filter((line) => line.includes('REFUSED'));

    expect(lines).toEqual([expect.stringMatching(
      /start on AppConfig \w+\/\w+: REFUSED by the alarm-state check of Shop\/Rollback\/Config \(DEPLOYMENT_BLOCKED\): .*alarm shop-errors was in a trigger state/)]);
  });

  it('reports a gated start the check allowed, and why', async () => {
    simulation = await Simulation.start({ assembly: synthesize(true), state: START });
    const timeline = formatTimeline(await simulation.report());

    expect(timeline).toMatch(/start on AppConfig \w+\/\w+: deployment 1 started; the alarm-state check of Shop\/Rollback\/Config allowed it: no alarm of the target is in a trigger state/);
  });

  it('lets the deployment continue while an alarm mute rule mutes the firing alarm', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM', mutedBy: 'release-window' }] } },
    });
    await simulation.advance(2 * 60_000);
    const report = await simulation.report();

    expect(report.checks.map((c) => c.decision)).toEqual(['ALLOWED', 'CONTINUE', 'CONTINUE']);
    expect(report.checks[1].description).toContain('muted by alarm mute rule release-window');
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'DEPLOYING' })]);
  });

  it('shows a watched alarm that does not exist as missing, records it once, and lets the deployment continue', async () => {
    simulation = await Simulation.start({
      assembly: synthesize(true),
      state: { ...START, cloudWatch: { alarms: [{ alarm: 'shop-errors', missing: true }] } },
    });
    await simulation.advance(2 * 60_000);
    const report = await simulation.report();

    expect(report.checks.map((c) => c.decision)).toEqual(['ALLOWED', 'CONTINUE', 'CONTINUE']);
    expect(report.checks[1].description).toContain('not found: shop-errors');
    expect(report.ledger.map((record) => record.outcome)).toEqual(['ALARM_MISSING']);
  });
});
