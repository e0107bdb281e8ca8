import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { shopStack } from './support';
import { formatTimeline, Simulation } from '../../local/simulate';
import { AlarmRollback, RollbackTarget } from '../../src';

/**
 * A Proton target and its rule on the environment's status changes (source
 * aws.proton, the environment's name, status IN_PROGRESS). Where the
 * construct does not make that rule, a stand-in with the target's own rule
 * input is added by hand, so the delivery of the local Proton's events is
 * tested either way.
 */
function synthesize(): string {
  const { outdir, app, stack } = shopStack('simulate-proton-');
  const latency = new cloudwatch.Alarm(stack, 'Latency', {
    alarmName: 'shop-latency', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Latency' }), threshold: 1, evaluationPeriods: 1,
  });
  const rollback = new AlarmRollback(stack, 'Rollback');
  rollback.addTarget('Env', { alarms: [latency], target: RollbackTarget.protonEnvironment({ environmentName: 'shop-prod' }) });
  const rules = rollback.node.findAll().filter((c): c is events.CfnRule => c instanceof events.CfnRule);
  const alarmRule = rules.find((rule) => JSON.stringify(stack.resolve(rule.eventPattern)).includes('aws.cloudwatch'))!;
  if (rules.some((rule) => JSON.stringify(stack.resolve(rule.eventPattern)).includes('aws.proton'))) {
    app.synth();
    return outdir;
  }
  new events.CfnRule(stack, 'ProtonStart', {
    eventPattern: {
      'source': ['aws.proton'],
      'detail-type': ['AWS Proton Environment Status Change'],
      'detail': { name: ['shop-prod'], status: ['IN_PROGRESS'] },
    },
    targets: alarmRule.targets,
  });
  app.synth();
  return outdir;
}

describe('simulate delivers the local Proton\'s status changes through the rules', () => {
  let simulation: Simulation | undefined;
  afterEach(async () => {
    await simulation?.close();
    simulation = undefined;
  });

  it('delivers an update\'s IN_PROGRESS to the rule on the environment\'s status changes, and only what a rule matches', async () => {
    simulation = await Simulation.start({ assembly: synthesize(), state: { proton: { environments: [{ name: 'shop-prod' }] } } });
    simulation.proton.state.updateEnvironment('shop-prod', { deploymentType: 'CURRENT_VERSION' });
    // Five minutes later the update has SUCCEEDED: no rule matches that change.
    await simulation.advance(6 * 60_000);
    simulation.proton.state.getEnvironment('shop-prod');
    await simulation.runDue();
    const report = await simulation.report();

    expect(report.events).toHaveLength(1);
    const [event] = report.events;
    expect(event).toMatchObject({ source: 'Proton shop-prod SUCCEEDED -> IN_PROGRESS', state: 'IN_PROGRESS', previousState: 'SUCCEEDED' });
    expect(event.deliveries).toHaveLength(1);
    expect(event.deliveries[0].rule).toMatch(/^Shop\/(ProtonStart|Rollback\/Env\/\w+)$/);
    expect(event.deliveries[0].input).toMatchObject({ event: { source: 'aws.proton', detail: { name: 'shop-prod', status: 'IN_PROGRESS' } } });
    expect(formatTimeline(report)).toContain('#1 Proton environment shop-prod SUCCEEDED -> IN_PROGRESS');
  });
});
