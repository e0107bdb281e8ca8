import { readFileSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RollbackStack } from '../../examples/readme-quick-start';
import { HandlerEnv } from '../../src/contract';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The quick start's marked blocks, in the order .ci/quick-start.sh follows them. */
function quickStartBlocks(): Array<{ kind: string; path: string; body: string }> {
  const blocks = [...README.matchAll(/<!-- quick-start:(run|file) ?([^ ]*) -->\n(`{3,})[^\n]*\n([\s\S]*?)\n\3\n/g)];
  return blocks.map(([, kind, path, , body]) => ({ kind, path, body }));
}

const ENV = { account: '123456789012', region: 'us-east-1' };
const partitioned = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('the README quick start', () => {
  it('deploys a dry-run rollback for an imported and a created AppConfig environment, watching alarms imported by name in its env', () => {
    const template = Template.fromStack(new RollbackStack(new App(), 'QuickStart', { env: ENV }));

    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::AppConfig::Extension', 1);
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [HandlerEnv.DRY_RUN]: 'true' }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        resources: [
          partitioned(':cloudwatch:us-east-1:123456789012:alarm:my-service-errors'),
          partitioned(':cloudwatch:us-east-1:123456789012:alarm:my-service-p99-latency'),
        ],
      }),
    });
    // Every watcher alarm reaches the on-call topic.
    const watchers = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(watchers.length).toBeGreaterThan(0);
    for (const watcher of watchers) {
      expect(watcher.Properties.AlarmActions).toEqual([partitioned(':sns:us-east-1:123456789012:on-call')]);
    }
  });

  it('synthesizes without an env as well', () => {
    const app = new App();
    new RollbackStack(app, 'QuickStart');

    expect(app.synth().getStackByName('QuickStart').template.Resources).toBeDefined();
  });

  it('is the code the README shows as bin/app.ts, word for word', () => {
    const example = readFileSync(join(ROOT, 'examples', 'readme-quick-start.ts'), 'utf8');
    const code = example.slice(example.indexOf('import { App')).replace("from '../src'", "from 'cdk-alarm-rollback'").trimEnd();
    const shown = quickStartBlocks().find((block) => block.kind === 'file' && block.path === 'bin/app.ts');

    expect(shown?.body).toBe(code);
  });

  it('installs the peer dependencies at the library\'s own ranges, writes the files cdk.json names, then synthesizes', () => {
    const blocks = quickStartBlocks();
    const commands = blocks.filter((block) => block.kind === 'run').flatMap((block) => block.body.split('\n'));
    const files = new Map(blocks.filter((block) => block.kind === 'file').map((block) => [block.path, block.body]));

    expect(commands[0]).toBe('npm init -y');
    expect(commands).toContain(
      `npm install aws-cdk-lib@${PACKAGE.peerDependencies['aws-cdk-lib']} constructs@${PACKAGE.peerDependencies.constructs} cdk-alarm-rollback`);
    expect(commands[commands.length - 1]).toBe('npx cdk synth');
    expect([...files.keys()].sort()).toEqual(['bin/app.ts', 'cdk.json', 'tsconfig.json']);
    expect(JSON.parse(files.get('cdk.json')!).app).toBe('npx ts-node --prefer-ts-exts bin/app.ts');
    expect(JSON.parse(files.get('tsconfig.json')!).compilerOptions.module).toBe('commonjs');
  });

  it('is where "Import an environment by ID" takes its call from', () => {
    const section = README.slice(README.indexOf('## Import an environment by ID\n'), README.indexOf('\n## ', README.indexOf('## Import an environment by ID\n') + 1));
    const call = /`(RollbackTarget\.appConfig\(\{ applicationId: [^`]+\}\))`/.exec(section)?.[1];
    const app = quickStartBlocks().find((block) => block.kind === 'file' && block.path === 'bin/app.ts');

    expect(call).toBeDefined();
    expect(app?.body).toContain(`target: ${call},`);
  });

  it('leaves out the deprecated Proton target', () => {
    const section = README.slice(README.indexOf('## Quick start\n'), README.indexOf('\n## ', README.indexOf('## Quick start\n') + 1));

    expect(section).toContain('RollbackTarget.appConfig(');
    expect(section).not.toMatch(/proton/i);
  });
});
