import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACCOUNT, REGION, arnJoin, importedAlarm } from './support';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../../src';

const ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CancelUpdateStack'];

/** The app's two stacks: the one to guard and the one holding the AlarmRollback. */
function app(env: { account: string; region: string } = { account: ACCOUNT, region: REGION }) {
  const root = new App();
  const checkout = new Stack(root, 'Checkout', { env });
  new sqs.Queue(checkout, 'Orders');
  const operations = new Stack(root, 'Operations', { env: { account: ACCOUNT, region: REGION } });
  return { checkout, operations };
}

function addTarget(stack: Stack, target: RollbackTarget): AlarmRollback {
  const rollback = new AlarmRollback(stack, 'Rollback');
  rollback.addTarget('Checkout', { alarms: [importedAlarm(stack, 'checkout-5xx')], target });
  return rollback;
}

function ruleTarget(stack: Stack): any {
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  const template = Object.values(rules)[0].Properties.Targets[0].InputTransformer.InputTemplate;
  return JSON.parse(template.replace('<f1>', 'null')).target;
}

function stackStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: any) => [statement.Action].flat().some((action: string) => action.startsWith('cloudformation:')));
}

describe('RollbackTarget.cloudFormationStack', () => {
  it('grants only the describe and cancel calls, on the ARNs of that one stack, and sends its name in the rule input', () => {
    const { checkout, operations } = app();
    addTarget(operations, RollbackTarget.cloudFormationStack({ stack: checkout }));

    expect(stackStatements(operations)).toEqual([{ Effect: 'Allow', Action: ACTIONS, Resource: arnJoin('cloudformation', 'stack/Checkout/*') }]);
    expect(ruleTarget(operations)).toEqual({
      kind: 'cloudformation-stack',
      name: 'Operations/Rollback/Checkout',
      alarmArns: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:checkout-5xx`],
      triggerStates: ['ALARM'],
      actOnPausedAlarms: false,
      stackName: 'Checkout',
    });
  });

  it('adds nothing to the guarded stack and makes the AlarmRollback\'s stack depend on nothing of it', () => {
    const { checkout, operations } = app();
    addTarget(operations, RollbackTarget.cloudFormationStack({ stack: checkout }));

    expect(Object.keys(Template.fromStack(checkout).toJSON().Resources)).toEqual([expect.stringMatching(/^Orders/)]);
    expect(operations.dependencies).toEqual([]);
  });

  it('guards a nested stack through its root stack', () => {
    const { checkout, operations } = app();
    const api = new NestedStack(checkout, 'Api');
    addTarget(operations, RollbackTarget.cloudFormationStack({ stack: api }));

    expect(ruleTarget(operations).stackName).toBe('Checkout');
    expect(stackStatements(operations)).toEqual([{ Effect: 'Allow', Action: ACTIONS, Resource: arnJoin('cloudformation', 'stack/Checkout/*') }]);
  });

  it('takes a stack name, granting on that name\'s ARNs', () => {
    const { operations } = app();
    addTarget(operations, RollbackTarget.cloudFormationStack({ stackName: 'legacy-web' }));

    expect(ruleTarget(operations).stackName).toBe('legacy-web');
    expect(stackStatements(operations)).toEqual([{ Effect: 'Allow', Action: ACTIONS, Resource: arnJoin('cloudformation', 'stack/legacy-web/*') }]);
  });

  it('takes a stack ID, granting on its stack\'s ARNs in its own partition, Region and account', () => {
    const { operations } = app();
    const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/legacy-web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f`;
    addTarget(operations, RollbackTarget.cloudFormationStack({ stackName: stackId }));

    expect(ruleTarget(operations).stackName).toBe(stackId);
    expect(stackStatements(operations)).toEqual([{ Effect: 'Allow', Action: ACTIONS, Resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/legacy-web/*` }]);
  });

  it.each(['1web', 'web_api', '', 'a'.repeat(129), 'arn:aws:s3:::bucket'])('refuses the stack name %j with the forms it takes', (stackName) => {
    const { operations } = app();
    expect(() => addTarget(operations, RollbackTarget.cloudFormationStack({ stackName })))
      .toThrow(/^\[Operations\/Rollback\/Checkout\] stackName is .*, which is neither a stack name nor a stack ID\. Use a stack name \(1 to 128 letters/);
  });

  it('refuses neither or both of stack and stackName', () => {
    const { checkout, operations } = app();
    expect(() => addTarget(operations, RollbackTarget.cloudFormationStack({})))
      .toThrow(/was given neither stack nor stackName\. Give exactly one/);
    const other = new Stack(operations.node.root as App, 'Other', { env: { account: ACCOUNT, region: REGION } });
    expect(() => addTarget(other, RollbackTarget.cloudFormationStack({ stack: checkout, stackName: 'Checkout' })))
      .toThrow(/was given both stack and stackName\. Give exactly one/);
  });

  it('refuses the stack that holds the AlarmRollback, and the root of a nested stack holding it', () => {
    const { checkout, operations } = app();
    expect(() => addTarget(operations, RollbackTarget.cloudFormationStack({ stack: operations })))
      .toThrow(/^\[Operations\/Rollback\/Checkout\] the stack target Operations holds this AlarmRollback\. Put the AlarmRollback in a stack of its own/);
    const inner = new NestedStack(checkout, 'Guard');
    expect(() => addTarget(inner, RollbackTarget.cloudFormationStack({ stack: checkout })))
      .toThrow(/the stack target Checkout holds this AlarmRollback/);
  });

  it.each([
    ['account', { account: '222222222222', region: REGION }, /is in account 222222222222, and this AlarmRollback in 111111111111/],
    ['Region', { account: ACCOUNT, region: 'us-east-1' }, /is in Region us-east-1, and this AlarmRollback in eu-west-1/],
  ])('refuses a stack of another %s with the reason', (_what, env, message) => {
    const { checkout, operations } = app(env);
    expect(() => addTarget(operations, RollbackTarget.cloudFormationStack({ stack: checkout }))).toThrow(message);
  });

  it('publishes COMPLETED_BEFORE_STOP to the notification topic by default', () => {
    const { checkout, operations } = app();
    const rollback = new AlarmRollback(operations, 'Rollback', { notificationTopic: new sns.Topic(operations, 'Notices') });
    rollback.addTarget('Checkout', { alarms: [importedAlarm(operations, 'checkout-5xx')], target: RollbackTarget.cloudFormationStack({ stack: checkout }) });
    const functions = Template.fromStack(operations).findResources('AWS::Lambda::Function');
    const notifyOn = Object.values(functions)
      .map((fn: any) => JSON.stringify(fn.Properties.Environment?.Variables ?? {}))
      .find((variables) => variables.includes(RollbackOutcome.CANCEL_REQUESTED));
    expect(notifyOn).toContain(RollbackOutcome.COMPLETED_BEFORE_STOP);
  });
});
