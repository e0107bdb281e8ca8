import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, CfnResource, Duration, IAspect, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { ACCOUNT, REGION } from './support';
import { BAKE_GATE_RESOURCE_TYPE, BakeGateLimits, BakeGateProperty } from '../../src/contract/bake-gate';
import { checkBake, holdUpdateOpen, templateHashToken } from '../../src/targets/cloudformation-stack/template-hash';

/** An asset folder holding one handler file with this text. */
function assetWith(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bake-gate-asset-'));
  writeFileSync(join(dir, 'index.js'), code);
  return dir;
}

/** The gate as a construct would place it: a custom resource under a construct whose subtree the hash leaves out. */
function addGate(stack: Stack): CfnResource {
  const holder = new Construct(stack, 'BakeGate');
  const gate = new CfnResource(holder, 'Resource', {
    type: BAKE_GATE_RESOURCE_TYPE,
    properties: {
      ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:bake-gate-provider`,
      [BakeGateProperty.TEMPLATE_HASH]: templateHashToken(holder),
      [BakeGateProperty.BAKE_SECONDS]: 600,
    },
  });
  holdUpdateOpen(gate);
  return gate;
}

/** A small application stack: a function from an asset, a queue it reads, and the gate. */
function appStack(code: string, extra?: (stack: Stack) => void): Template {
  const stack = new Stack(new App(), 'Web', { env: { account: ACCOUNT, region: REGION } });
  const queue = new sqs.Queue(stack, 'Jobs');
  const fn = new lambda.Function(stack, 'Worker', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(assetWith(code)),
    environment: { QUEUE_URL: queue.queueUrl },
  });
  queue.grantConsumeMessages(fn);
  extra?.(stack);
  addGate(stack);
  return Template.fromStack(stack);
}

function hashOf(template: Template): string {
  const gates = template.findResources(BAKE_GATE_RESOURCE_TYPE);
  const [gate] = Object.values(gates) as Array<{ Properties: Record<string, unknown> }>;
  return gate.Properties[BakeGateProperty.TEMPLATE_HASH] as string;
}

describe('the bake gate\'s template hash', () => {
  it('is the same for two synths of the same app', () => {
    const first = hashOf(appStack('exports.handler = async () => 1;'));
    const second = hashOf(appStack('exports.handler = async () => 1;'));

    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
  });

  it('changes when an asset changes', () => {
    expect(hashOf(appStack('exports.handler = async () => 2;'))).not.toBe(hashOf(appStack('exports.handler = async () => 1;')));
  });

  it('changes when a property of another resource changes', () => {
    const longer = appStack('exports.handler = async () => 1;', (stack) => new sqs.Queue(stack, 'Dlq', { retentionPeriod: Duration.days(14) }));
    const shorter = appStack('exports.handler = async () => 1;', (stack) => new sqs.Queue(stack, 'Dlq', { retentionPeriod: Duration.days(7) }));

    expect(hashOf(longer)).not.toBe(hashOf(shorter));
  });

  it('leaves the gate itself out, so the gate\'s own settings do not change it', () => {
    const stack = new Stack(new App(), 'Web', { env: { account: ACCOUNT, region: REGION } });
    new sqs.Queue(stack, 'Jobs');
    addGate(stack);
    const before = hashOf(Template.fromStack(stack));
    const again = new Stack(new App(), 'Web', { env: { account: ACCOUNT, region: REGION } });
    new sqs.Queue(again, 'Jobs');
    addGate(again).addPropertyOverride(BakeGateProperty.BAKE_SECONDS, 900);

    expect(hashOf(Template.fromStack(again))).toBe(before);
  });
});

describe('the bake gate\'s dependencies', () => {
  it('depends on every other resource of its stack, and nothing depends on it', () => {
    const template = appStack('exports.handler = async () => 1;').toJSON();
    const resources = template.Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const [gateId] = Object.keys(resources).filter((id) => resources[id].Type === BAKE_GATE_RESOURCE_TYPE);
    const others = Object.keys(resources).filter((id) => id !== gateId && resources[id].Type !== 'AWS::CDK::Metadata');

    expect(others.length).toBeGreaterThanOrEqual(4);
    expect([...resources[gateId].DependsOn ?? []].sort()).toEqual(others.sort());
    expect(others.filter((id) => (resources[id].DependsOn ?? []).includes(gateId))).toEqual([]);
  });

  it('sees resources another aspect adds, and a nested stack as its one resource', () => {
    class AddQueue implements IAspect {
      private added = false;
      public visit(node: IConstruct): void {
        if (!this.added && Stack.isStack(node) && !NestedStack.isNestedStack(node)) {
          this.added = true;
          new sqs.Queue(node, 'AddedByAspect');
        }
      }
    }
    const stack = new Stack(new App(), 'Web', { env: { account: ACCOUNT, region: REGION } });
    const child = new NestedStack(stack, 'Child');
    new sqs.Queue(child, 'Inner');
    Aspects.of(stack).add(new AddQueue());
    addGate(stack);

    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const [gateId] = Object.keys(resources).filter((id) => resources[id].Type === BAKE_GATE_RESOURCE_TYPE);
    const dependsOn = resources[gateId].DependsOn ?? [];

    expect(dependsOn.some((id) => id.startsWith('AddedByAspect'))).toBe(true);
    expect(dependsOn.some((id) => resources[id].Type === 'AWS::CloudFormation::Stack')).toBe(true);
    expect(dependsOn.every((id) => resources[id] !== undefined)).toBe(true);
  });
});

describe('what the gate refuses at synth', () => {
  function stackWithQueues(count: number): Stack {
    const stack = new Stack(new App(), 'Big', { env: { account: ACCOUNT, region: REGION } });
    for (let i = 0; i < count; i++) {
      new sqs.CfnQueue(stack, `Q${i}`);
    }
    addGate(stack);
    return stack;
  }

  it('accepts a stack at exactly 500 resources with the gate', () => {
    expect(() => Template.fromStack(stackWithQueues(499))).not.toThrow();
  });

  it('refuses a stack past 500 resources with the gate, naming the path, the count and the fix', () => {
    expect(() => Template.fromStack(stackWithQueues(500)))
      .toThrow(/\[Big\/BakeGate\/Resource\] stack Big has 501 resources with the bake gate; CloudFormation allows 500 per stack.*Move resources into a nested stack/);
  });

  it('refuses a bake longer than the custom resource can be held, with the limit', () => {
    const stack = new Stack(new App(), 'Web');

    expect(() => checkBake(stack, Duration.minutes(56)))
      .toThrow('[Web] bake is 56 minutes (3360 s); a custom resource can be held at most 3600 s, of which the gate keeps 300 s for its last poll. '
        + 'Give a whole number of seconds from 1 to 3300 (55 minutes)');
    expect(() => checkBake(stack, Duration.hours(2))).toThrow('3300');
    expect(() => checkBake(stack, Duration.millis(1500))).toThrow('1.5 s');
  });

  it('accepts a bake up to the limit, in whole seconds', () => {
    const stack = new Stack(new App(), 'Web');

    expect(checkBake(stack, Duration.seconds(BakeGateLimits.MAX_BAKE_SECONDS))).toBe(3300);
    expect(checkBake(stack, Duration.minutes(10))).toBe(600);
  });
});
