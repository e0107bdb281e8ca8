import { readFileSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildQuickStartStack } from '../../examples/readme-quick-start';

const ROOT = join(__dirname, '..', '..');

describe('the README quick start', () => {
  it('synthesizes the handler and the alarm-state check, one ledger, one alarm rule per target, a start rule for Proton and an association for AppConfig', () => {
    const app = new App();
    const stack = buildQuickStartStack(app);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.resourceCountIs('AWS::AppConfig::Extension', 1);
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 1);
    expect(() => app.synth()).not.toThrow();
  });

  it('is the code the README shows, word for word', () => {
    const example = readFileSync(join(ROOT, 'examples', 'readme-quick-start.ts'), 'utf8');
    const code = example.slice(example.indexOf('import { App')).replace("from '../src'", "from 'cdk-alarm-rollback'").trimEnd();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /<!-- quick-start:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- quick-start:end -->/.exec(readme);
    expect(shown?.[1]).toBe(code);
  });
});
