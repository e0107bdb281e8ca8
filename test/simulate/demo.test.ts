import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDemoStack } from '../../examples/demo-app';

describe('the demo app', () => {
  it('synthesizes the handler, the alarm-state check and its extension, and one rule per target and Proton start', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoStack(app));

    template.resourceCountIs('AWS::Lambda::Function', 2);
    // Three alarm targets, and the Proton target's rule on its environment's status changes.
    template.resourceCountIs('AWS::Events::Rule', 4);
    template.resourceCountIs('AWS::AppConfig::Extension', 1);
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 2);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    expect(() => app.synth()).not.toThrow();
  });
});
