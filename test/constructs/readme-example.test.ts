import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildQuickStartStack } from '../../examples/readme-quick-start';

describe('the README quick start', () => {
  it('synthesizes one handler, one ledger and one rule per target', () => {
    const app = new App();
    const stack = buildQuickStartStack(app);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(() => app.synth()).not.toThrow();
  });
});
