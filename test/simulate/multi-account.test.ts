import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildMultiAccountApp } from '../../examples/readme-multi-account';
import { main } from '../../local/cli';
import {
  alarmStateChange, assemblyAlarms, AssemblyStack, checkState, decideForward, evaluateBusPolicy, ForwardingRule, formatEvent, formatTimeline,
  PutEventsRequest, readEventFile, resolveAssembly, Simulation, SimulationState,
} from '../../local/simulate';
import { AlarmEventForwarder, AlarmRollback, AlarmSource, AlarmTagPropagation, RollbackTarget } from '../../src';

// End to end through simulate's code path with several stacks, accounts and
// Regions: an alarm's event enters the default bus of its own account and
// Region, a forwarding rule there puts it on the rollback's bus (if the role
// and the bus policy allow), and the rollback rule on that bus invokes the
// bundled handler against the local AppConfig.

const MONITORING = '111111111111';
const WORKLOAD = '222222222222';
const STRANGER = '333333333333';
const ORGANIZATION = 'o-a1b2c3d4e5';
const REGION = 'eu-west-1';
const OTHER_REGION = 'us-east-1';
const WORKLOAD_BUS = `arn:aws:events:${REGION}:${WORKLOAD}:event-bus/default`;
const ROLLBACK_BUS = `arn:aws:events:${REGION}:${WORKLOAD}:event-bus/rollback`;

const alarmArn = (account: string, region: string, name: string) => `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
const MONITORED = alarmArn(MONITORING, REGION, 'checkout-5xx');
const OTHER_REGION_ALARM = alarmArn(WORKLOAD, OTHER_REGION, 'checkout-latency');
const STRANGER_ALARM = alarmArn(STRANGER, REGION, 'checkout-stranger');

interface AppOptions {
  /** The workload bus's policy statement; `legacy` writes the older Principal/Condition properties. */
  readonly busPolicy?: 'accounts' | 'organization' | 'legacy';
  /** Leave events:PutEvents out of the cross-Region forwarder's role. */
  readonly roleWithoutPutEvents?: boolean;
  /** Add a rule on the workload's default bus that relays alarm events on to a custom bus of the workload account. */
  readonly relay?: boolean;
  /** The workload's own alarm of the same name as the monitoring account's, watched by the target too. */
  readonly sameNameAlarm?: boolean;
}

/**
 * A workload stack (222222222222, eu-west-1) whose rollback watches alarms of
 * the monitoring account (111111111111), of its own account in us-east-1 and
 * of an account it never allowed (333333333333); each of the three sending
 * environments has a stack with a forwarding rule to the workload's default
 * bus, written with the L1 constructs.
 */
function synthesize(options: AppOptions = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'simulate-multi-'));
  const app = new App({ outdir });
  const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
  const application = new appconfig.Application(workload, 'App', { applicationName: 'shop' });
  const environment = new appconfig.Environment(workload, 'Prod', { application, environmentName: 'prod' });
  const alarms: cloudwatch.IAlarm[] = [MONITORED, OTHER_REGION_ALARM, STRANGER_ALARM].map((arn, i) => cloudwatch.Alarm.fromAlarmArn(workload, `Alarm${i}`, arn));
  if (options.sameNameAlarm) {
    alarms.push(new cloudwatch.Alarm(workload, 'OwnAlarm', {
      alarmName: 'checkout-5xx', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: '5xx' }), threshold: 1, evaluationPeriods: 1,
    }));
  }
  // The bus policy and the forwarding rules are this app's own L1 resources.
  const rollback = new AlarmRollback(workload, 'Rollback', { alarmsForwardedElsewhere: true });
  rollback.addTarget('Config', { alarms, target: RollbackTarget.appConfig({ environment }) });

  const busPolicy = options.busPolicy ?? 'accounts';
  const condition = { StringEquals: { 'events:source': 'aws.cloudwatch', 'events:detail-type': 'CloudWatch Alarm State Change' } };
  if (busPolicy === 'legacy') {
    // Through overrides: aws-cdk-lib marks the L1's Action and Principal deprecated, CloudFormation still takes them.
    const legacy = new events.CfnEventBusPolicy(workload, 'AllowMonitoring', { statementId: 'monitoring' });
    legacy.addPropertyOverride('Action', 'events:PutEvents');
    legacy.addPropertyOverride('Principal', MONITORING);
  } else {
    new events.CfnEventBusPolicy(workload, 'AllowAlarmSources', {
      eventBusName: 'default',
      statementId: 'alarm-sources',
      statement: {
        Effect: 'Allow',
        Principal: busPolicy === 'organization' ? '*' : { AWS: [`arn:aws:iam::${MONITORING}:root`] },
        Action: 'events:PutEvents',
        Resource: WORKLOAD_BUS,
        Condition: busPolicy === 'organization'
          ? { StringEquals: { ...condition.StringEquals, 'aws:PrincipalOrgID': ORGANIZATION } }
          : condition,
      },
    });
  }

  if (options.relay) {
    const archive = new events.EventBus(workload, 'Archive', { eventBusName: 'alarm-archive' });
    const role = new iam.Role(workload, 'RelayRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    archive.grantPutEventsTo(role);
    new events.CfnRule(workload, 'Relay', {
      eventPattern: { source: ['aws.cloudwatch'] },
      targets: [{ id: 'Archive', arn: archive.eventBusArn, roleArn: role.roleArn }],
    });
  }

  const forwarder = (id: string, account: string, region: string, alarm: string, grant = true) => {
    const stack = new Stack(app, id, { env: { account, region } });
    const name = alarm.split(':alarm:')[1];
    const created = new cloudwatch.Alarm(stack, 'Alarm', {
      alarmName: name, metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: name }), threshold: 1, evaluationPeriods: 1,
    });
    Tags.of(created).add('rollback', 'checkout');
    Tags.of(created).add('team', 'shop');
    (created.node.defaultChild as cloudwatch.CfnAlarm).addPropertyOverride('ActionConfiguration.AlarmTagsPropagation', { Enabled: true, ExcludedTagKeys: ['team'] });
    const role = new iam.Role(stack, 'ForwardRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    if (grant) role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [WORKLOAD_BUS] }));
    const queue = new sqs.Queue(stack, 'ForwardDeadLetters', { queueName: `${id.toLowerCase()}-forward-dlq` });
    new events.CfnRule(stack, 'Forward', {
      eventPattern: { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], 'resources': [alarm], 'detail': { state: { value: ['ALARM'] } } },
      targets: [{ id: 'RollbackBus', arn: WORKLOAD_BUS, roleArn: role.roleArn, deadLetterConfig: { arn: queue.queueArn } }],
    });
  };
  forwarder('Monitoring', MONITORING, REGION, MONITORED);
  forwarder('WorkloadUsEast1', WORKLOAD, OTHER_REGION, OTHER_REGION_ALARM, !options.roleWithoutPutEvents);
  forwarder('Stranger', STRANGER, REGION, STRANGER_ALARM);
  app.synth();
  return outdir;
}

/**
 * The two-stack layout of docs/multi-account-and-tags.md with the library's constructs: the
 * workload's AlarmRollback watches alarms of the monitoring account, of its
 * own account in us-east-1 and of an account it never declared; each of those
 * environments has a stack with the alarm and an AlarmEventForwarder to the
 * workload's default bus.
 */
function synthesizeWithConstructs(options: { readonly organization?: boolean; readonly customBus?: boolean } = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'simulate-constructs-'));
  const app = new App({ outdir });
  const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
  const application = new appconfig.Application(workload, 'App', { applicationName: 'shop' });
  const environment = new appconfig.Environment(workload, 'Prod', { application, environmentName: 'prod' });
  const alarms: cloudwatch.IAlarm[] = [MONITORED, OTHER_REGION_ALARM, STRANGER_ALARM].map((arn, i) => cloudwatch.Alarm.fromAlarmArn(workload, `Alarm${i}`, arn));
  alarms.push(new cloudwatch.Alarm(workload, 'Own', {
    alarmName: 'checkout-own', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'own' }), threshold: 1, evaluationPeriods: 1,
  }));
  const rollback = new AlarmRollback(workload, 'Rollback', {
    ...(options.customBus ? { eventBus: new events.EventBus(workload, 'RollbackBus', { eventBusName: 'rollback' }) } : {}),
    alarmSources: [
      options.organization ? AlarmSource.organization(ORGANIZATION) : AlarmSource.account(MONITORING),
      AlarmSource.account(WORKLOAD, { regions: [OTHER_REGION] }),
    ],
    // The stranger's alarm is watched but its account is not a source: synth warns, and its events are refused.
    alarmsForwardedElsewhere: true,
  });
  rollback.addTarget('Config', { alarms, target: RollbackTarget.appConfig({ environment }) });
  const busArn = options.customBus ? ROLLBACK_BUS : WORKLOAD_BUS;

  for (const [id, arn] of [['Monitoring', MONITORED], ['WorkloadUsEast1', OTHER_REGION_ALARM], ['Stranger', STRANGER_ALARM]]) {
    const [, , , region, account, , name] = arn.split(':');
    const stack = new Stack(app, id, { env: { account, region } });
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      alarmName: name, metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: name }), threshold: 1, evaluationPeriods: 1,
    });
    new AlarmEventForwarder(stack, 'ToCheckout', { eventBus: events.EventBus.fromEventBusArn(stack, 'RollbackBus', busArn), alarms: [alarm] });
  }
  app.synth();
  return outdir;
}

/**
 * The library's own constructs: a workload AlarmRollback whose target is
 * watched by the tag `rollback=checkout`, an own-account alarm with that tag,
 * and in the monitoring account an alarm with it and an AlarmEventForwarder
 * of that tag set to the workload's bus. Tag propagation is on in both.
 */
function synthesizeTagged(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'simulate-tags-'));
  const app = new App({ outdir });
  AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback'] });
  const taggedAlarm = (stack: Stack, name: string) => {
    const alarm = new cloudwatch.Alarm(stack, 'Tagged', {
      alarmName: name, metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: name }), threshold: 1, evaluationPeriods: 1,
    });
    Tags.of(alarm).add('rollback', 'checkout');
    Tags.of(alarm).add('team', 'shop');
  };

  const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
  const application = new appconfig.Application(workload, 'App', { applicationName: 'shop' });
  const environment = new appconfig.Environment(workload, 'Prod', { application, environmentName: 'prod' });
  taggedAlarm(workload, 'checkout-own-5xx');
  const rollback = new AlarmRollback(workload, 'Rollback', { alarmSources: [AlarmSource.account(MONITORING)] });
  rollback.addTarget('Config', { alarmTags: { rollback: 'checkout' }, target: RollbackTarget.appConfig({ environment }) });

  const monitoring = new Stack(app, 'Monitoring', { env: { account: MONITORING, region: REGION } });
  taggedAlarm(monitoring, 'checkout-monitored-5xx');
  new AlarmEventForwarder(monitoring, 'ToCheckout', {
    eventBus: events.EventBus.fromEventBusArn(monitoring, 'RollbackBus', WORKLOAD_BUS),
    alarmTags: { rollback: 'checkout' },
  });
  app.synth();
  return outdir;
}

const deploying: SimulationState = {
  appConfig: { deployments: [{ application: 'shop', environment: 'prod', startedMinutesAgo: 2 }] },
};

let simulation: Simulation | undefined;
afterEach(async () => {
  await simulation?.close();
  simulation = undefined;
});

async function start(assembly: string, state: SimulationState = deploying): Promise<Simulation> {
  simulation = await Simulation.start({ assembly, state });
  return simulation;
}

describe('simulate across accounts and Regions', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthesize();
  });

  it('rolls back an AppConfig deployment when an alarm of the monitoring account enters ALARM', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));

    // AppConfig.AllAtOnce deploys at once, then bakes for 10 minutes.
    expect(report.entryBus).toBe(`arn:aws:events:${REGION}:${MONITORING}:event-bus/default`);
    expect(report.hops).toEqual([expect.objectContaining({
      rule: 'Monitoring/Forward', toBus: WORKLOAD_BUS, status: 'DELIVERED', reason: expect.stringMatching(/statement alarm-sources .* allows events:PutEvents/),
    })]);
    expect(report.buses).toEqual([report.entryBus, WORKLOAD_BUS]);
    expect(report.deliveries).toHaveLength(1);
    expect(report.deliveries[0]).toMatchObject({ bus: WORKLOAD_BUS, outcome: 'ROLLED_BACK', result: { stateBefore: 'BAKING', stateAfter: 'ROLLED_BACK' } });
    // The forwarded event keeps the monitoring account's fields, so the handler's ARN check holds.
    expect(report.deliveries[0].input).toMatchObject({ event: { account: MONITORING, region: REGION } });
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('ROLLED_BACK');
  });

  it('rolls back when an alarm of the workload account in another Region enters ALARM, with no bus policy for its own account', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: OTHER_REGION_ALARM }));

    expect(report.hops).toEqual([expect.objectContaining({ rule: 'WorkloadUsEast1/Forward', status: 'DELIVERED', reason: expect.stringMatching(/same account 222222222222/) })]);
    expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('dead-letters the event of an account the bus policy does not allow, and never invokes the handler', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: STRANGER_ALARM }));

    expect(report.hops).toEqual([expect.objectContaining({
      rule: 'Stranger/Forward',
      status: 'DEAD_LETTERED',
      errorCode: 'CROSS_ACCOUNT_INGESTION_FAILED',
      deadLetterQueue: `arn:aws:sqs:${REGION}:${STRANGER}:stranger-forward-dlq`,
      reason: expect.stringMatching(/no statement of the resource policy of event bus .* allows events:PutEvents from account 333333333333/),
    })]);
    expect(report.deliveries).toEqual([]);
    expect(report.unmatched).toEqual([expect.objectContaining({ rule: 'Workload/Rollback/Config/Rule', reason: expect.stringMatching(/did not reach/) })]);
    expect(sim.appConfig.requests).toEqual([]);
    expect(formatEvent(report).join('\n')).toMatch(/Stranger\/Forward: .* refused, dead-lettered to arn:aws:sqs/);
  });

  it('sees nothing when an alarm of an account without any stack enters ALARM', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: alarmArn('444444444444', REGION, 'elsewhere') }));

    expect(report.deliveries).toEqual([]);
    expect(report.hops).toEqual([]);
    expect(report.note).toMatch(/no rule of the assembly is on event bus arn:aws:events:eu-west-1:444444444444:event-bus\/default/);
  });

  it('refuses an event without a 12-digit account, which names no default bus', async () => {
    const sim = await start(assembly);
    const { account: _account, ...withoutAccount } = alarmStateChange({ alarmArn: MONITORED });
    await expect(sim.deliver(withoutAccount)).rejects.toThrow(/an event needs "account" \(12 digits\) and "region" to say which default event bus it arrives on, got account undefined/);
    await expect(sim.deliver({ ...withoutAccount, account: '1111' })).rejects.toThrow(/got account "1111"/);
  });

  it('does not forward the OK state the forwarding rule leaves out', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: MONITORED, state: 'OK' }));

    expect(report.hops).toEqual([]);
    expect(report.unmatched).toContainEqual(expect.objectContaining({ rule: 'Monitoring/Forward', reason: 'detail.state.value does not match the rule\'s pattern' }));
  });

  it('writes an event with the monitoring account and Region for an alarm of the monitoring account, which rolls back', async () => {
    let stdout = '';
    const code = await main(['event', '--assembly', assembly, '--alarm', 'checkout-5xx'], { stdout: (text) => { stdout += text; }, stderr: () => undefined });
    expect(code).toBe(0);
    const event = JSON.parse(stdout);
    expect(event).toMatchObject({ account: MONITORING, region: REGION, resources: [MONITORED] });
    // Read back as `simulate --event` reads it, which stamps its relative time.
    const file = join(mkdtempSync(join(tmpdir(), 'simulate-event-')), 'event.json');
    writeFileSync(file, stdout);

    const sim = await start(assembly);
    const [{ event: read }] = readEventFile(file, sim.appConfig.state.now());
    const report = await sim.deliver(read);
    expect(report.hops.map((hop) => hop.status)).toEqual(['DELIVERED']);
    expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('reads the tags an alarm with tag propagation puts in its events, and the alarms forwarding rules watch', () => {
    const alarms = assemblyAlarms(resolveAssembly(assembly));
    expect(alarms.find((alarm) => alarm.arn === MONITORED)).toMatchObject({ alarmTags: { rollback: 'checkout' }, watchedBy: ['Workload/Rollback/Config', 'Monitoring/Forward'] });
  });

  it('reads only its own account\'s alarm in the alarm-state check, though an alarm of the same name fires in the monitoring account', async () => {
    const sim = await start(synthesize({ sameNameAlarm: true }), {
      appConfig: {
        deploymentStrategies: [{ name: 'linear', deploymentDurationInMinutes: 10, growthFactor: 50 }],
        starts: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'linear' }],
      },
      cloudWatch: { alarms: [{ alarm: MONITORED, state: 'ALARM' }] },
    });
    await sim.advance(2 * 60_000);

    expect(sim.cloudWatchIn(MONITORING, REGION)!.state.getAlarm('checkout-5xx').state).toBe('ALARM');
    expect(sim.cloudWatchIn(WORKLOAD, REGION)!.state.getAlarm('checkout-5xx').state).toBe('OK');
    // No start check: no target blocks starts, so no start gate is associated.
    expect(sim.checks.map((check) => check.decision)).toEqual(['CONTINUE', 'CONTINUE']);
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('DEPLOYING');
  });

  it('lists every rule with its bus, account and Region', async () => {
    const sim = await start(assembly);
    expect(sim.ruleSummaries).toEqual([expect.objectContaining({ rule: 'Workload/Rollback/Config/Rule', eventBus: WORKLOAD_BUS, account: WORKLOAD, region: REGION })]);
    expect(sim.forwardingRuleSummaries).toEqual([
      expect.objectContaining({ rule: 'Monitoring/Forward', account: MONITORING, region: REGION, targetBus: WORKLOAD_BUS, alarmArns: [MONITORED] }),
      expect.objectContaining({ rule: 'WorkloadUsEast1/Forward', account: WORKLOAD, region: OTHER_REGION }),
      expect.objectContaining({ rule: 'Stranger/Forward', account: STRANGER }),
    ]);
    const timeline = formatTimeline(await sim.report());
    expect(timeline).toMatch(/3 forwarding rule\(s\):/);
    expect(timeline).toMatch(/Monitoring\/Forward \(account 111111111111, eu-west-1\): arn:aws:events:eu-west-1:111111111111:event-bus\/default -> arn:aws:events:eu-west-1:222222222222:event-bus\/default/);
  });

  it('keeps each account and Region\'s alarms in its own local CloudWatch', async () => {
    const sim = await start(assembly);
    expect(sim.cloudWatchIn(MONITORING, REGION)!.state.listAlarms().map((alarm) => alarm.arn)).toEqual([MONITORED]);
    expect(sim.cloudWatchIn(WORKLOAD, OTHER_REGION)!.state.listAlarms().map((alarm) => alarm.arn)).toEqual([OTHER_REGION_ALARM]);
    // The workload's own alarms (the construct's monitoring) only.
    const workloadAlarms = sim.cloudWatchIn(WORKLOAD, REGION)!.state.listAlarms().map((alarm) => alarm.arn);
    expect(workloadAlarms.length).toBeGreaterThan(0);
    expect(workloadAlarms.filter((arn) => !arn.startsWith(`arn:aws:cloudwatch:${REGION}:${WORKLOAD}:alarm:`))).toEqual([]);

    await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(sim.cloudWatchIn(MONITORING, REGION)!.state.getAlarm('checkout-5xx').state).toBe('ALARM');
  });
});

describe('simulate with the library\'s constructs across accounts and Regions', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthesizeWithConstructs();
  });

  it('rolls back an AppConfig deployment when an alarm of the monitoring account enters ALARM', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));

    expect(report.hops).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^Monitoring\/ToCheckout\//), toBus: WORKLOAD_BUS, status: 'DELIVERED' })]);
    expect(report.deliveries.map((delivery) => [delivery.target.name, delivery.outcome])).toEqual([['Workload/Rollback/Config', 'ROLLED_BACK']]);
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('ROLLED_BACK');
  });

  it('rolls back when an alarm of the workload account in another Region enters ALARM', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: OTHER_REGION_ALARM }));

    expect(report.hops).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^WorkloadUsEast1\/ToCheckout\//), status: 'DELIVERED' })]);
    expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('dead-letters the event of an account that is not a declared source, which never reaches the handler', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(alarmStateChange({ alarmArn: STRANGER_ALARM }));

    expect(report.hops).toEqual([expect.objectContaining({
      rule: expect.stringMatching(/^Stranger\/ToCheckout\//),
      status: 'DEAD_LETTERED',
      deadLetterQueue: expect.stringMatching(/^arn:aws:sqs:eu-west-1:333333333333:/),
      reason: expect.stringMatching(/allows events:PutEvents from account 333333333333/),
    })]);
    expect(report.deliveries).toEqual([]);
    expect(sim.appConfig.requests).toEqual([]);
    expect(sim.finalState().appConfig[0].deployments[0].state).toBe('BAKING');
  });
});

describe('simulate with the library\'s constructs: an organization source and a custom bus', () => {
  it('admits an organization member through the bus policy AlarmSource.organization writes, and refuses an outsider', async () => {
    const organization = { id: ORGANIZATION, accounts: [MONITORING, WORKLOAD] };
    const sim = await start(synthesizeWithConstructs({ organization: true }), { ...deploying, organization });

    const outsider = await sim.deliver(alarmStateChange({ alarmArn: STRANGER_ALARM }));
    expect(outsider.hops[0]).toMatchObject({ status: 'DEAD_LETTERED', reason: expect.stringMatching(/account 333333333333 is in no organization/) });
    const member = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(member.hops[0]).toMatchObject({ status: 'DELIVERED' });
    expect(member.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('reaches rules on a custom bus: the rollback forwards its own alarms there, and forwarders put theirs there', async () => {
    const sim = await start(synthesizeWithConstructs({ customBus: true }));
    expect(sim.ruleSummaries.map((rule) => rule.eventBus)).toEqual(sim.ruleSummaries.map(() => ROLLBACK_BUS));

    const own = await sim.deliver(alarmStateChange({ alarmArn: alarmArn(WORKLOAD, REGION, 'checkout-own') }));
    expect(own.hops).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^Workload\/Rollback\//), fromBus: WORKLOAD_BUS, toBus: ROLLBACK_BUS, status: 'DELIVERED' })]);
    expect(own.deliveries.map((delivery) => [delivery.bus, delivery.outcome])).toEqual([[ROLLBACK_BUS, 'ROLLED_BACK']]);

    const monitored = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(monitored.hops).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^Monitoring\/ToCheckout\//), toBus: ROLLBACK_BUS, status: 'DELIVERED' })]);
    expect(monitored.deliveries.map((delivery) => delivery.bus)).toEqual([ROLLBACK_BUS]);
  });
});

describe('simulate: the multi-account example of docs/multi-account-and-tags.md', () => {
  it('rolls back the workload\'s deployment when the monitoring account\'s alarm enters ALARM', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'simulate-readme-'));
    const app = new App({ outdir });
    buildMultiAccountApp(app);
    app.synth();
    const [application] = resolveAssembly(outdir).appConfigResources.applications;
    const sim = await start(outdir, {
      appConfig: { deployments: [{ application: application.id, environment: application.environments[0].id, startedMinutesAgo: 2 }] },
    });

    const report = await sim.deliver(alarmStateChange({ alarmArn: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:checkout-errors' }));
    expect(report.hops).toEqual([expect.objectContaining({
      rule: expect.stringMatching(/^Monitoring\/Forwarder\//), toBus: 'arn:aws:events:eu-west-1:111111111111:event-bus/alarm-rollback', status: 'DELIVERED',
    })]);
    expect(report.deliveries.map((delivery) => [delivery.target.name, delivery.outcome])).toEqual([['Workload/Rollback/Checkout', 'ROLLED_BACK']]);
  });
});

describe('cdk-alarm-rollback simulate across accounts', () => {
  it('reads the organization from --state, and prints the hops in the timeline and in --json', async () => {
    const assembly = synthesizeWithConstructs({ organization: true });
    const files = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
    const state = join(files, 'state.json');
    const event = join(files, 'event.json');
    writeFileSync(state, JSON.stringify({ ...deploying, organization: { id: ORGANIZATION, accounts: [MONITORING, WORKLOAD] } }));
    writeFileSync(event, JSON.stringify([alarmStateChange({ alarmArn: MONITORED }), alarmStateChange({ alarmArn: STRANGER_ALARM })]));
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(['simulate', '--assembly', assembly, '--state', state, '--event', event, ...args], {
        stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; },
      });
      return { code, stdout, stderr };
    };

    const timeline = await run();
    expect(timeline).toMatchObject({ code: 0, stderr: '' });
    expect(timeline.stdout).toMatch(/> Monitoring\/ToCheckout\/\S+: arn:aws:events:eu-west-1:111111111111:event-bus\/default -> arn:aws:events:eu-west-1:222222222222:event-bus\/default: put/);
    expect(timeline.stdout).toMatch(/> Stranger\/ToCheckout\/\S+: .* refused, dead-lettered to arn:aws:sqs:eu-west-1:333333333333:/);

    const json = JSON.parse((await run('--json')).stdout);
    expect(json.forwardingRules.map((rule: { account: string }) => rule.account)).toEqual([MONITORING, WORKLOAD, STRANGER]);
    expect(json.events.map((e: { hops: { status: string }[] }) => e.hops.map((hop) => hop.status))).toEqual([['DELIVERED'], ['DEAD_LETTERED']]);
  });

  it('refuses a state file whose organization is malformed, naming the field', async () => {
    const files = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
    const state = join(files, 'state.json');
    writeFileSync(state, JSON.stringify({ organization: { id: 'o-a1b2c3d4e5', accounts: ['111'] } }));
    let stderr = '';
    const code = await main(['simulate', '--assembly', synthesize(), '--state', state, '--event', state], { stdout: () => undefined, stderr: (text) => { stderr += text; } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/organization.accounts\[0\] must be an account id: 12 digits/);
  });
});

describe('simulate: tag-routed targets across accounts', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthesizeTagged();
  });

  const eventFor = async (alarm: string) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['event', '--assembly', assembly, '--alarm', alarm], { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // Read back as `simulate --event` reads the file, which stamps its relative time.
    const file = join(mkdtempSync(join(tmpdir(), 'simulate-event-')), 'event.json');
    writeFileSync(file, stdout);
    return readEventFile(file)[0].event as Record<string, any>;
  };

  it('counts the tagged alarms as watched by the tag-routed target', () => {
    const alarms = assemblyAlarms(resolveAssembly(assembly));
    expect(alarms.find((alarm) => alarm.name === 'checkout-own-5xx')?.watchedBy).toEqual(['Workload/Rollback/Config']);
    expect(alarms.find((alarm) => alarm.name === 'checkout-monitored-5xx')?.watchedBy).toEqual(['Workload/Rollback/Config']);
  });

  it('rolls back when an alarm of the workload carrying the target\'s tag enters ALARM', async () => {
    const event = await eventFor('checkout-own-5xx');
    // Only the included key propagates.
    expect(event.detail).toMatchObject({ alarmTags: { rollback: 'checkout' }, alarmTagsStatus: 'SUCCESS' });
    expect(event.detail.alarmTags.team).toBeUndefined();

    const sim = await start(assembly);
    const report = await sim.deliver(event);
    expect(report.hops).toEqual([]);
    expect(report.deliveries.map((delivery) => [delivery.rule, delivery.outcome])).toEqual([[expect.stringMatching(/^Workload\/Rollback\/Config\//), 'ROLLED_BACK']]);
  });

  it('rolls back when a tagged alarm of the monitoring account enters ALARM, through the forwarder\'s tag rule', async () => {
    const sim = await start(assembly);
    const report = await sim.deliver(await eventFor('checkout-monitored-5xx'));

    expect(report.hops).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^Monitoring\/ToCheckout\//), toBus: WORKLOAD_BUS, status: 'DELIVERED' })]);
    expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('forwards and acts on nothing for an alarm whose tag has another value', async () => {
    const sim = await start(assembly);
    const other = alarmStateChange({ alarmArn: alarmArn(MONITORING, REGION, 'checkout-monitored-5xx'), alarmTags: { rollback: 'payments' } });
    const report = await sim.deliver(other);

    expect(report.hops).toEqual([]);
    expect(report.deliveries).toEqual([]);
    expect(report.unmatched).toContainEqual(expect.objectContaining({ rule: expect.stringMatching(/^Monitoring\/ToCheckout\//), reason: 'detail.alarmTags.rollback does not match the rule\'s pattern' }));
  });
});

describe('simulate: bus policies and roles', () => {
  it('allows an organization member by aws:PrincipalOrgID and refuses an account outside it', async () => {
    const assembly = synthesize({ busPolicy: 'organization' });
    const sim = await start(assembly, { ...deploying, organization: { id: ORGANIZATION, accounts: [MONITORING, WORKLOAD] } });

    const member = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(member.hops[0]).toMatchObject({ status: 'DELIVERED' });
    expect(member.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);

    const outsider = await sim.deliver(alarmStateChange({ alarmArn: STRANGER_ALARM }));
    expect(outsider.hops[0]).toMatchObject({ status: 'DEAD_LETTERED', reason: expect.stringMatching(/aws:PrincipalOrgID.*account 333333333333 is in no organization/) });
    expect(outsider.deliveries).toEqual([]);
  });

  it('reads the older Principal and Action properties of AWS::Events::EventBusPolicy', async () => {
    const sim = await start(synthesize({ busPolicy: 'legacy' }));
    const report = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));

    expect(report.hops[0]).toMatchObject({ status: 'DELIVERED', reason: expect.stringMatching(/statement monitoring/) });
    expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  it('dead-letters a cross-Region put whose role may not call events:PutEvents on the bus', async () => {
    const sim = await start(synthesize({ roleWithoutPutEvents: true }));
    const report = await sim.deliver(alarmStateChange({ alarmArn: OTHER_REGION_ALARM }));

    expect(report.hops[0]).toMatchObject({ status: 'DEAD_LETTERED', errorCode: 'NO_PERMISSIONS', reason: expect.stringMatching(/no statement of the policies of role/) });
    expect(report.deliveries).toEqual([]);
  });

  it('puts an event on a second bus once, and refuses the hop to a third bus', async () => {
    const sim = await start(synthesize({ relay: true }));
    const archive = `arn:aws:events:${REGION}:${WORKLOAD}:event-bus/alarm-archive`;

    const own = await sim.deliver(alarmStateChange({ alarmArn: alarmArn(WORKLOAD, REGION, 'checkout-own') }));
    expect(own.hops).toEqual([expect.objectContaining({ rule: 'Workload/Relay', toBus: archive, status: 'DELIVERED' })]);

    const forwarded = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(forwarded.hops.map((hop) => [hop.rule, hop.status, hop.errorCode])).toEqual([
      ['Monitoring/Forward', 'DELIVERED', undefined],
      ['Workload/Relay', 'DROPPED', 'THIRD_ACCOUNT_HOP_DETECTED'],
    ]);
    expect(forwarded.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
  });

  const request: PutEventsRequest = {
    principalAccount: MONITORING,
    busArn: WORKLOAD_BUS,
    sourceArn: `arn:aws:events:${REGION}:${MONITORING}:rule/forward`,
    source: 'aws.cloudwatch',
    detailType: 'CloudWatch Alarm State Change',
  };
  const allow = { Effect: 'Allow', Principal: { AWS: MONITORING }, Action: 'events:*', Resource: WORKLOAD_BUS };

  it('reads the Policy property of an AWS::Events::EventBus', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'simulate-bus-policy-'));
    const app = new App({ outdir });
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const application = new appconfig.Application(workload, 'App', { applicationName: 'shop' });
    const environment = new appconfig.Environment(workload, 'Prod', { application, environmentName: 'prod' });
    const bus = new events.EventBus(workload, 'Bus', { eventBusName: 'custom' });
    const busArn = `arn:aws:events:${REGION}:${WORKLOAD}:event-bus/custom`;
    (bus.node.defaultChild as events.CfnEventBus).addPropertyOverride('Policy', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'FromMonitoring', Effect: 'Allow', Principal: { AWS: MONITORING }, Action: 'events:PutEvents', Resource: busArn }],
    });
    // The policy is written by hand here, so the AlarmRollback declares no sources.
    const rollback = new AlarmRollback(workload, 'Rollback', { eventBus: bus, alarmsForwardedElsewhere: true });
    rollback.addTarget('Config', { alarms: [cloudwatch.Alarm.fromAlarmArn(workload, 'Monitored', MONITORED)], target: RollbackTarget.appConfig({ environment }) });
    const monitoring = new Stack(app, 'Monitoring', { env: { account: MONITORING, region: REGION } });
    const alarm = new cloudwatch.Alarm(monitoring, 'Alarm', {
      alarmName: 'checkout-5xx', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: '5xx' }), threshold: 1, evaluationPeriods: 1,
    });
    new AlarmEventForwarder(monitoring, 'ToCheckout', { eventBus: events.EventBus.fromEventBusArn(monitoring, 'RollbackBus', busArn), alarms: [alarm] });
    app.synth();

    const sim = await start(outdir);
    const report = await sim.deliver(alarmStateChange({ alarmArn: MONITORED }));
    expect(report.hops).toEqual([expect.objectContaining({ toBus: busArn, status: 'DELIVERED', reason: expect.stringMatching(/statement FromMonitoring of the resource policy/) })]);
    expect(report.deliveries.map((delivery) => [delivery.bus, delivery.outcome])).toEqual([[busArn, 'ROLLED_BACK']]);
  });

  it('names a condition key it does not model instead of allowing the put', () => {
    const decision = evaluateBusPolicy([{ ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }], request);
    expect(decision).toEqual({ allowed: false, reason: expect.stringMatching(/condition operator IpAddress is not modelled/) });
    const key = evaluateBusPolicy([{ ...allow, Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }], request);
    expect(key.reason).toMatch(/condition key aws:SourceVpc is not modelled by simulate/);
  });

  it('lets a Deny statement win over an Allow', () => {
    const decision = evaluateBusPolicy([allow, { ...allow, Sid: 'NoCloudWatch', Effect: 'Deny', Condition: { StringLike: { 'events:source': 'aws.*' } } }], request);
    expect(decision).toEqual({ allowed: false, reason: expect.stringMatching(/statement NoCloudWatch .* denies/) });
  });

  it('refuses a put whose events:source the condition does not name', () => {
    const decision = evaluateBusPolicy([{ ...allow, Condition: { StringEquals: { 'events:source': 'com.example.shop' } } }], request);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/events:source is not met by "aws.cloudwatch"/);
  });

  it('does not admit a forwarding target without a role through an organization-wide bus policy', () => {
    const organizationPolicy = [{ ...allow, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } } }];
    const rule: ForwardingRule = {
      stack: { environment: { stackName: 'Monitoring', account: MONITORING, region: REGION } } as AssemblyStack,
      logicalId: 'Forward',
      path: 'Monitoring/Forward',
      name: 'forward',
      arn: request.sourceArn,
      enabled: true,
      busArn: `arn:aws:events:${REGION}:${MONITORING}:event-bus/default`,
      eventPattern: {},
      targetId: 'Bus',
      targetBusArn: WORKLOAD_BUS,
    };
    const model = {
      buses: new Map([[WORKLOAD_BUS, { arn: WORKLOAD_BUS, name: 'default', account: WORKLOAD, region: REGION, policy: organizationPolicy, inAssembly: true }]]),
      forwardingRules: [rule],
    };
    const organization = { id: ORGANIZATION, accounts: [MONITORING] };
    const context = { model, organization, alreadyForwarded: false, origin: { account: MONITORING, region: REGION } };
    const event = { 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' };

    expect(decideForward(rule, event, context)).toMatchObject({ allowed: false, reason: expect.stringMatching(/aws:PrincipalOrgID/) });
    const roleArn = `arn:aws:iam::${MONITORING}:role/imported`;
    expect(decideForward({ ...rule, roleArn }, event, context)).toMatchObject({ allowed: true, unchecked: expect.stringMatching(/role .*imported is not a resource of stack Monitoring/) });
  });

  it('checks the state file\'s organization', () => {
    expect(() => checkState({ organization: { id: 'org-1', accounts: [MONITORING] } })).toThrow(/organization.id must be an organization ID/);
    expect(() => checkState({ organization: { id: ORGANIZATION, accounts: ['1111'] } })).toThrow(/organization.accounts\[0\] must be an account id: 12 digits/);
    expect(() => checkState({ organization: { id: ORGANIZATION } })).toThrow(/organization.accounts must be a non-empty list/);
    const organization = { id: ORGANIZATION, accounts: [MONITORING] };
    expect(checkState({ organization }).organization).toEqual(organization);
  });
});
