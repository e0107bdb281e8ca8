import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDemoStack } from '../../examples/demo-app';

describe('the demo app', () => {
  it('synthesizes one handler and one rule per target', () => {
    const app = new App();
    const template = Template.fromStack(buildDemoStack(app));

    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    expect(() => app.synth()).not.toThrow();
  });
});
