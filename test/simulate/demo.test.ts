import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildDemoApp, DemoAlarms } from '../../examples/demo-app';
import { BAKE_GATE_RESOURCE_TYPE, BakeGateProperty } from '../../src/contract';

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
});
