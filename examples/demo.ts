// `npm run demo`: synthesizes examples/demo-app.ts, then runs it through the
// same code path as `cdk-alarm-rollback simulate`: the rules and the bundled
// handler of the synthesized assembly, against local AppConfig, Proton and
// DynamoDB. An AppConfig deployment starts, alarms fire, and it rolls back.
// Then the alarm-state check AppConfig invokes: a deployment started while
// the health alarm still fires is rolled back at its first tick, and a start
// on the gated staging environment is refused. Last, an alarm of the central
// monitoring account fires: its forwarder puts the event on the workload
// account's bus (the bus policy admits it) and the next deployment rolls
// back. Then a `cdk deploy` of the checkout service's stack: its resources
// update, the bake gate holds the update open, the API's alarm fires during
// the bake, the gate fails and CloudFormation rolls the whole update back.
// Alongside, the deprecated Proton target (AWS ended support for Proton
// on 2026-10-07) still cancels an environment update, so it stays exercised
// until it is removed. Exits 1 if any of that does not happen.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AppConfigClient, StartDeploymentCommand } from '@aws-sdk/client-appconfig';
import { ProtonClient, UpdateEnvironmentCommand } from '@aws-sdk/client-proton';
import { App } from 'aws-cdk-lib';
import { buildDemoApp, CANARY_ALARM_ARN, DEMO_ACCOUNT, DEMO_REGION, DemoAlarms, MONITORING_ACCOUNT, PROTON_ENVIRONMENT, SERVICE_STACK } from './demo-app';
import { demoStackUpdate } from './demo-stack-update';
import { alarmStateChange, formatChecks, formatEvent, formatFinalState, Simulation } from '../local/simulate';

/** One real second is one minute of service time, so a 10-minute rollout moves visibly. */
const TIME_SCALE = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const arn = (name: string) => `arn:aws:cloudwatch:${DEMO_REGION}:${DEMO_ACCOUNT}:alarm:${name}`;

async function demo(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const outdir = mkdtempSync(join(tmpdir(), 'alarm-rollback-demo-'));
  const app = new App({ outdir });
  buildDemoApp(app);
  app.synth();
  console.log(`Synthesized ${outdir}\n`);

  const simulation = await Simulation.start({
    assembly: outdir,
    timeScale: TIME_SCALE,
    state: { proton: { environments: [{ name: PROTON_ENVIRONMENT }], deploymentDurationMinutes: 20 } },
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const appConfigClient = new AppConfigClient({ endpoint: simulation.appConfig.endpoint, region: DEMO_REGION, credentials });
  const protonClient = new ProtonClient({ endpoint: simulation.proton.endpoint, region: DEMO_REGION, credentials });
  try {
    for (const rule of simulation.ruleSummaries) {
      console.log(`rule ${rule.rule} -> ${rule.kind} ${rule.target}\n  watches ${rule.alarmArns.join(', ')}`);
    }
    for (const rule of simulation.forwardingRuleSummaries) {
      console.log(`forwarding rule ${rule.rule} (account ${rule.account}) -> ${rule.targetBus}\n  forwards ${rule.alarmArns.join(', ')}`);
    }

    // The deployer's side: a configuration rollout and an environment update start.
    const [application] = simulation.appConfigResources.applications;
    const production = application.environments.find((environment) => environment.name === 'production')!;
    const staging = application.environments.find((environment) => environment.name === 'staging')!;
    const strategy = simulation.appConfigResources.deploymentStrategies.find((s) => s.name === 'checkout-linear')!;
    /** StartDeployment of the flags profile on one environment, as a pipeline would call it. */
    const startFlags = (environmentId: string, version: string, description?: string) => appConfigClient.send(new StartDeploymentCommand({
      ApplicationId: application.id,
      EnvironmentId: environmentId,
      DeploymentStrategyId: strategy.id,
      ConfigurationProfileId: 'flags',
      ConfigurationVersion: version,
      Description: description,
    }));
    const started = await startFlags(production.id, '2', 'new checkout flow for everyone');
    await protonClient.send(new UpdateEnvironmentCommand({ name: PROTON_ENVIRONMENT, deploymentType: 'MINOR_VERSION', templateMinorVersion: '1' }));
    console.log(`\nAppConfig deployment ${started.DeploymentNumber} started (${strategy.name}: 20% every 2 minutes, 5 minutes bake)`
      + ` and, for the deprecated Proton target, a ${PROTON_ENVIRONMENT} update`);
    await sleep(2_500);
    const progress = simulation.appConfig.state.getDeployment(application.id, production.id, started.DeploymentNumber!);
    console.log(`~${Math.round(2.5 * TIME_SCALE / 60)} minutes later: deployment ${started.DeploymentNumber} is ${progress.state} at ${progress.percentageComplete}%, Proton is ${simulation.proton.state.getEnvironment(PROTON_ENVIRONMENT).deploymentStatus}\n`);

    // The alarms: errors fire (delivered twice, as EventBridge may), flap back to OK,
    // latency fires, the composite fires, and an alarm no rule watches fires.
    // Each event is stamped when it is delivered, in service time (the
    // clock the deployments run on), as CloudWatch would stamp it.
    const now = () => new Date(simulation.appConfig.state.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    let errors: Record<string, unknown> | undefined;
    const events: Array<[string, () => Record<string, unknown>]> = [
      ['errors alarm', () => (errors = alarmStateChange({ alarmArn: arn(DemoAlarms.ERRORS), reason: 'Threshold Crossed: 37 errors > 10', time: now() }))],
      ['errors alarm, redelivered', () => errors!],
      ['errors flap back to OK', () => alarmStateChange({ alarmArn: arn(DemoAlarms.ERRORS), state: 'OK', time: now() })],
      ['latency alarm', () => alarmStateChange({ alarmArn: arn(DemoAlarms.LATENCY), reason: 'Threshold Crossed: p99 1240 ms > 800 ms', time: now() })],
      ['composite health alarm', () => alarmStateChange({ alarmArn: arn(DemoAlarms.HEALTH), reason: 'checkout-errors OR checkout-latency', time: now() })],
      ['unwatched alarm', () => alarmStateChange({ alarmArn: arn(DemoAlarms.QUEUE_DEPTH), time: now() })],
    ];
    for (const [label, event] of events) {
      const report = await simulation.deliver(event(), label);
      console.log(formatEvent(report).join('\n'));
    }

    // The alarm-state check. The health alarm is still in ALARM (its last
    // event), and AppConfig asks the check at every tick and before every start.
    console.log(`\nThe alarm-state check, while ${DemoAlarms.HEALTH} is still in ALARM:`);
    const retry = await startFlags(production.id, '3', 'retry the new checkout flow');
    console.log(`  deployment ${retry.DeploymentNumber} started on production (no start gate there)`);
    // Ninety seconds of service time: the first tick comes after one minute.
    await sleep(1_500);
    await simulation.runDue();
    const retried = simulation.appConfig.state.getDeployment(application.id, production.id, retry.DeploymentNumber!);
    console.log(`  ~1.5 minutes later: deployment ${retry.DeploymentNumber} is ${retried.state}`);
    try {
      await startFlags(staging.id, '3');
      console.log('  a deployment started on staging: the start gate let it through');
    } catch (error) {
      console.log(`  staging refused the start: ${(error as Error).name}: ${(error as Error).message}`);
    }
    console.log(formatChecks([], simulation.checks).map((line) => `  ${line}`).join('\n'));

    // Across accounts. The health alarm recovers, the fix rolls out, and then
    // the checkout canary, whose alarm lives in the monitoring account, starts
    // failing: the monitoring account's forwarder puts the event on this
    // account's default bus, the bus policy lets that account in, and the
    // Flags rule stops the rollout.
    console.log(`\nAcross accounts: ${DemoAlarms.HEALTH} recovers, a fix rolls out, and the canary alarm of monitoring account ${MONITORING_ACCOUNT} fires`);
    const recovered = await simulation.deliver(alarmStateChange({ alarmArn: arn(DemoAlarms.HEALTH), state: 'OK', time: now() }), 'health recovers');
    console.log(formatEvent(recovered).join('\n'));
    const fix = await startFlags(production.id, '4', 'the fix');
    await sleep(1_500);
    await simulation.runDue();
    const before = simulation.appConfig.state.getDeployment(application.id, production.id, fix.DeploymentNumber!);
    console.log(`  deployment ${fix.DeploymentNumber} started on production; ~1.5 minutes later it is ${before.state} at ${before.percentageComplete}%`);
    const canary = await simulation.deliver(
      alarmStateChange({ alarmArn: CANARY_ALARM_ARN, reason: 'Threshold Crossed: 2 failed checkout runs >= 1', time: now() }),
      'canary alarm (monitoring account)');
    console.log(formatEvent(canary).join('\n'));

    // A stack update with a bake. `cdk deploy` of the service's stack with new
    // code: the function updates, then the bake gate holds the update open
    // and reads the API's alarm every 30 s. The API starts failing during the
    // bake; the gate's next poll sees it before the alarm's event reaches the
    // handler, fails, and CloudFormation rolls the whole update back. The
    // event, when it comes, finds nothing left to cancel: one update, one record.
    const stackPart = await demoStackUpdate(simulation, outdir);
    console.log(`\n${stackPart.lines.join('\n')}`);
    const stackStatus = () => simulation.cloudFormation.state.describeStack(SERVICE_STACK).stackStatus;

    console.log(`\n${formatFinalState(simulation.finalState()).join('\n')}`);
    const ledger = await simulation.ledger();
    console.log(`\nLedger (${ledger.length} records):`);
    for (const record of ledger) {
      const deployment = record.deploymentNumber ?? record.deploymentId ?? '-';
      // A stack update's id is its claim key, the stack ID and the update's start: the start says which update.
      const what = String(deployment).includes(':stack/') ? `update ${String(deployment).split('@')[1]}` : `deployment ${deployment}`;
      const states = record.stateBefore ? `${record.stateBefore} -> ${record.stateAfter ?? record.stateBefore}` : '-';
      const calls = (record.apiCalls as string[] | undefined)?.join(' ') || '-';
      console.log(`  ${String(record.outcome).padEnd(20)} ${String(record.target).padEnd(42)} ${what.padEnd(47)} ${states.padEnd(28)} ${calls}`);
    }

    const serviceTarget = 'CheckoutRollbackDemo/Rollback/Service';
    const serviceOutcomes = ledger.filter((record) => record.target === serviceTarget).map((record) => record.outcome);
    if (stackStatus() !== 'UPDATE_ROLLBACK_COMPLETE' || serviceOutcomes.filter((outcome) => outcome === 'CANCEL_REQUESTED').length !== 1) {
      console.error(`\nDemo failed: the update of ${SERVICE_STACK} is ${stackStatus()} with outcomes ${serviceOutcomes.join(', ') || 'none'};`
        + ' expected UPDATE_ROLLBACK_COMPLETE and one CANCEL_REQUESTED record');
      return 1;
    }
    if (!simulation.gates.some((gate) => gate.stack === SERVICE_STACK && gate.answer === 'FAILED')) {
      console.error(`\nDemo failed: the bake gate of ${SERVICE_STACK} did not fail the update`);
      return 1;
    }
    const outcomes = ledger.map((record) => record.outcome);
    const expected = ['ROLLED_BACK', 'CANCEL_REQUESTED', 'DUPLICATE', 'DEPLOYMENT_BLOCKED'];
    const missing = expected.filter((outcome) => !outcomes.includes(outcome));
    if (missing.length > 0) {
      console.error(`\nDemo failed: expected outcomes ${missing.join(', ')} were not recorded`);
      return 1;
    }
    if (!ledger.some((record) => record.outcome === 'ROLLED_BACK' && record.deploymentNumber === started.DeploymentNumber)) {
      console.error(`\nDemo failed: the alarm events did not roll back deployment ${started.DeploymentNumber}`);
      return 1;
    }
    if (!ledger.some((record) => record.outcome === 'ROLLED_BACK' && record.alarmArn === CANARY_ALARM_ARN)) {
      console.error(`\nDemo failed: the monitoring account's alarm ${CANARY_ALARM_ARN} rolled nothing back`);
      return 1;
    }
    if (!ledger.some((record) => record.outcome === 'ROLLED_BACK' && record.trigger === 'DEPLOYMENT_TICK')) {
      console.error('\nDemo failed: no deployment was rolled back at a tick of the alarm-state check');
      return 1;
    }
    console.log(`\nThe alarm events rolled back AppConfig deployment ${started.DeploymentNumber}; the redelivered one changed nothing (DUPLICATE).`);
    console.log('The alarm-state check rolled back the deployment started while an alarm fired, and refused the start on staging.');
    console.log(`The monitoring account's canary alarm reached this account through its forwarder and rolled back deployment ${fix.DeploymentNumber}.`);
    console.log(`The API's alarm fired during the bake of ${SERVICE_STACK}'s update: the gate failed it, CloudFormation rolled it back, and one record says so.`);
    console.log('The deprecated Proton target (AWS ended support for Proton on 2026-10-07) still cancelled its environment update, once.');
    return 0;
  } finally {
    appConfigClient.destroy();
    protonClient.destroy();
    await simulation.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

demo().then((code) => {
  process.exitCode = code;
}, (error) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
