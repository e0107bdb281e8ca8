import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildDemoApp } from '../../examples/demo-app';

describe('the demo app', () => {
  it('synthesizes the handler, the alarm-state check and its extension, and one rule per target and Proton start', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoApp(app).workload);

    template.resourceCountIs('AWS::Lambda::Function', 2);
    // Three alarm targets, and the Proton target's rule on its environment's status changes.
    template.resourceCountIs('AWS::Events::Rule', 4);
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
});
