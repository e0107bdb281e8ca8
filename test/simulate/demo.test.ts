import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildDemoApp, DemoAlarms, PROTON_ENVIRONMENT, SERVICE_STACK } from '../../examples/demo-app';
import { demoStackUpdate } from '../../examples/demo-stack-update';
import { Simulation } from '../../local/simulate';
import { BAKE_GATE_RESOURCE_TYPE, BakeGateProperty, RollbackOutcome } from '../../src/contract';

describe('the demo app', () => {
  it('synthesizes the handler, the alarm-state check and its extension, and one rule per target and Proton start', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoApp(app).workload);

    // The handler and the alarm-state check; the bake gate's onEvent and isComplete
    // and the three functions of the Provider framework that runs them.
    template.resourceCountIs('AWS::Lambda::Function', 7);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    // Four alarm targets, and the Proton target's rule on its environment's status changes.
    template.resourceCountIs('AWS::Events::Rule', 5);
    // The tick extension on both environments, the start gate on staging's, which blocks starts.
    template.resourceCountIs('AWS::AppConfig::Extension', 2);
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 3);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    // The monitoring account may put alarm state changes on the default bus.
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    expect(() => app.synth()).not.toThrow();
  });

  it('forwards the monitoring account\'s canary alarm to the workload account\'s default bus', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoApp(app).monitoring);

    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^CanaryFailures'), 'Arn'] }] },
      Targets: [{ Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' }],
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('places a 15-minute bake gate in the checkout service\'s stack that waits for its function and reads the API\'s alarm', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoApp(app).service);

    template.resourceCountIs(BAKE_GATE_RESOURCE_TYPE, 1);
    const [gateId, gate] = Object.entries(template.findResources(BAKE_GATE_RESOURCE_TYPE))[0];
    const functionId = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    expect(gate.DependsOn).toEqual(expect.arrayContaining([functionId]));
    expect(gate.Properties).toMatchObject({
      [BakeGateProperty.BAKE_SECONDS]: '900',
      [BakeGateProperty.TARGET]: 'CheckoutRollbackDemo/Rollback/Service',
      [BakeGateProperty.ALARM_ARNS]: [{ 'Fn::ImportValue': expect.stringMatching(/ApiErrors/) }],
    });
    expect(gateId).toMatch(/^AlarmRollbackBakeGate/);
    Template.fromStack(buildDemoApp(new App()).workload).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: DemoAlarms.API_ERRORS });
    expect(() => app.synth()).not.toThrow();
  });

  it('tells one timeline in the stack part, with the record\'s times the narrative\'s, after minutes the demo skipped', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'alarm-rollback-demo-test-'));
    const app = new App({ outdir });
    buildDemoApp(app);
    app.synth();
    const simulation = await Simulation.start({
      assembly: outdir,
      timeScale: 60,
      state: { proton: { environments: [{ name: PROTON_ENVIRONMENT }], deploymentDurationMinutes: 20 } },
    });
    try {
      // Minutes skipped before the stack part, as the demo's AppConfig part does.
      await simulation.advance(5 * 60_000);
      const { lines, timeline: t, event } = await demoStackUpdate(simulation, outdir);

      expect(t.updateStartedAt).toBeLessThan(t.resourcesUpdatedAt);
      expect(t.resourcesUpdatedAt).toBeLessThanOrEqual(t.bakeStartedAt);
      expect(t.bakeStartedAt).toBeLessThan(t.alarmAt);
      expect(t.alarmAt).toBeLessThan(t.gateFailedAt);
      expect(t.gateFailedAt).toBeLessThanOrEqual(t.rollbackStartedAt);
      expect(t.rollbackStartedAt).toBeLessThan(t.rolledBackAt);
      // The gate's bake ends 15 minutes after it started, by the stack's clock.
      const bakeEndsAt = Date.parse(/baking until (\S+)/.exec(lines.join('\n'))![1]);
      expect(Math.abs(bakeEndsAt - (t.bakeStartedAt + 15 * 60_000))).toBeLessThan(1_000);

      // The record's reason names the narrative's update start and alarm time.
      expect(event.deliveries.map((delivery) => delivery.outcome)).toEqual([RollbackOutcome.ALREADY_STOPPED]);
      const [, startedAt, alarmAt] = /the update that started at (\S+) was in flight at the alarm \((\S+)\)/.exec(event.deliveries[0].reason ?? '')!;
      expect(Date.parse(startedAt)).toBe(t.updateStartedAt);
      expect(Math.abs(Date.parse(alarmAt) - t.alarmAt)).toBeLessThan(1_000);
      expect(Date.parse(startedAt)).toBeLessThan(Date.parse(alarmAt));
      const seconds = (at: number) => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
      expect(lines).toEqual(expect.arrayContaining([
        expect.stringContaining(`${seconds(t.updateStartedAt)} UpdateStack: UPDATE_IN_PROGRESS`),
        expect.stringContaining(`${seconds(t.alarmAt)} ${DemoAlarms.API_ERRORS} goes into ALARM during the bake`),
      ]));

      // The ledger's two records of the update name the same update, by its start.
      const records = (await simulation.ledger()).filter((record) => record.target === 'CheckoutRollbackDemo/Rollback/Service');
      expect(records.map((record) => record.outcome)).toEqual([RollbackOutcome.CANCEL_REQUESTED, RollbackOutcome.ALREADY_STOPPED]);
      for (const record of records) {
        expect(String(record.deploymentId)).toMatch(new RegExp(`:stack/${SERVICE_STACK}/.*@${new Date(t.updateStartedAt).toISOString().replace(/\./g, '\\.')}$`));
      }
    } finally {
      await simulation.close();
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
