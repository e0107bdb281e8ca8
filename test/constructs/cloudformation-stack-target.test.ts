import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACCOUNT, REGION, arnJoin, importedAlarm } from './support';
import { matchesEventPattern } from '../../local/simulate/event-pattern';
import { AlarmReadFailure, AlarmRollback, AlarmRollbackProps, RollbackOutcome, RollbackTarget } from '../../src';
import { stackStatusEvent } from '../support/stack-status-event';

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

describe('RollbackTarget.cloudFormationStack: the start gate (blockDeploymentsWhileAlarming)', () => {
  const STATUS_CHANGE = { 'source': ['aws.cloudformation'], 'detail-type': ['CloudFormation Stack Status Change'] };

  function withProps(stack: Stack, target: RollbackTarget, props: AlarmRollbackProps = {}): AlarmRollback {
    const rollback = new AlarmRollback(stack, 'Rollback', props);
    rollback.addTarget('Checkout', { alarms: [importedAlarm(stack, 'checkout-5xx')], target });
    return rollback;
  }

  /** The rules on stack status changes, with the target each sends. */
  function startRules(stack: Stack): Array<{ properties: any; target: any }> {
    return Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .filter((rule: any) => JSON.stringify(rule.Properties.EventPattern).includes('aws.cloudformation'))
      .map((rule: any) => ({
        properties: rule.Properties,
        target: JSON.parse(rule.Properties.Targets[0].InputTransformer.InputTemplate.replace('<f1>', 'null')).target,
      }));
  }

  const gateProperties = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('Custom::AlarmRollbackBakeGate'))
    .map((gate: any) => gate.Properties)[0];

  it('adds no rule on the stack\'s status changes without the option, and the bake does not block on old alarms', () => {
    const { checkout, operations } = app();
    const rollback = withProps(operations, RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }));

    expect(startRules(operations)).toEqual([]);
    expect(rollback.rules).toHaveLength(1);
    expect(gateProperties(checkout)).toMatchObject({ BlockStart: 'false' });
  });

  it('with the option, sends the handler that stack\'s status changes to UPDATE_IN_PROGRESS only, on the default bus', () => {
    const { checkout, operations } = app();
    const rollback = withProps(operations, RollbackTarget.cloudFormationStack({ stack: checkout, blockDeploymentsWhileAlarming: true }));

    expect(rollback.rules).toHaveLength(2);
    Template.fromStack(operations).hasResourceProperties('AWS::Events::Rule', {
      Name: Match.stringLikeRegexp(`^${rollback.ruleNamePrefix}Checkout-[0-9a-f]{6}-s$`),
      EventPattern: {
        ...STATUS_CHANGE,
        detail: {
          'stack-id': [{ prefix: arnJoin('cloudformation', 'stack/Checkout/') }],
          'status-details': { status: ['UPDATE_IN_PROGRESS'] },
        },
      },
      EventBusName: Match.absent(),
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: Match.anyValue() })],
    });
    const [start] = startRules(operations);
    expect(start.target).toEqual({ ...ruleTarget(operations), alarmReadFailure: 'ROLL_BACK' });
    // The alarm rule's input carries no policy: only the start gate reads the alarms.
    expect(ruleTarget(operations).alarmReadFailure).toBeUndefined();
  });

  it('matches a stack given by ID on that stack\'s own ARN prefix, and a name on that name\'s', () => {
    const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/legacy-web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f`;
    const byId = app().operations;
    withProps(byId, RollbackTarget.cloudFormationStack({ stackName: stackId, blockDeploymentsWhileAlarming: true }));
    const byName = app().operations;
    withProps(byName, RollbackTarget.cloudFormationStack({ stackName: 'legacy-web', blockDeploymentsWhileAlarming: true }));

    expect(startRules(byId)[0].properties.EventPattern.detail['stack-id']).toEqual([{ prefix: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/legacy-web/` }]);
    expect(startRules(byName)[0].properties.EventPattern.detail['stack-id']).toEqual([{ prefix: arnJoin('cloudformation', 'stack/legacy-web/') }]);
  });

  it('matches the status event of that stack\'s update starting, and no other stack, status or Region', () => {
    const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Checkout/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f`;
    const { operations } = app();
    withProps(operations, RollbackTarget.cloudFormationStack({ stackName: stackId, blockDeploymentsWhileAlarming: true }));
    const pattern = startRules(operations)[0].properties.EventPattern;
    const matches = (options: Parameters<typeof stackStatusEvent>[0]) => matchesEventPattern(pattern, stackStatusEvent(options));

    expect(matches({ stackId })).toBe(true);
    // A re-created stack of the same name has a new unique suffix: still the target.
    expect(matches({ stackId: stackId.replace(/[^/]+$/, '0f0e0d0c-1111-2222-3333-444455556666') })).toBe(true);
    expect(matches({ stackId: stackId.replace('/Checkout/', '/Checkout2/') })).toBe(false);
    expect(matches({ stackId: stackId.replace(REGION, 'us-east-1') })).toBe(false);
    for (const status of ['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']) {
      expect(matches({ stackId, status })).toBe(false);
    }
    expect(matchesEventPattern(pattern, { ...stackStatusEvent({ stackId }), source: 'aws.cloudwatch' })).toBe(false);
  });

  it('watches a nested stack\'s updates through its root stack', () => {
    const { checkout, operations } = app();
    withProps(operations, RollbackTarget.cloudFormationStack({ stack: new NestedStack(checkout, 'Api'), blockDeploymentsWhileAlarming: true }));

    expect(startRules(operations)[0].properties.EventPattern.detail['stack-id']).toEqual([{ prefix: arnJoin('cloudformation', 'stack/Checkout/') }]);
  });

  it('hands the start gate the AlarmRollback\'s alarmReadFailure, and the bake the start gate', () => {
    const { checkout, operations } = app();
    withProps(operations, RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5), blockDeploymentsWhileAlarming: true }),
      { alarmReadFailure: AlarmReadFailure.CONTINUE });

    expect(startRules(operations)[0].target.alarmReadFailure).toBe('CONTINUE');
    expect(gateProperties(checkout)).toMatchObject({ BlockStart: 'true', AlarmReadFailure: 'CONTINUE' });
  });

  it('keeps the start rule on the default bus when the alarm rules use a custom bus', () => {
    const { checkout, operations } = app();
    const bus = new events.EventBus(operations, 'Bus');
    withProps(operations, RollbackTarget.cloudFormationStack({ stack: checkout, blockDeploymentsWhileAlarming: true }), { eventBus: bus });

    expect(startRules(operations).map((rule) => rule.properties.EventBusName)).toEqual([undefined]);
  });

  it('adds no start rule when alarmStateChecks is false, or for a target watched by tags only; the bake still blocks', () => {
    const { checkout, operations } = app();
    withProps(operations, RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5), blockDeploymentsWhileAlarming: true }),
      { alarmStateChecks: false });
    const tagged = app().operations;
    new AlarmRollback(tagged, 'Rollback').addTarget('Checkout', {
      alarmTags: { rollback: 'checkout' },
      target: RollbackTarget.cloudFormationStack({ stackName: 'legacy-web', blockDeploymentsWhileAlarming: true }),
    });

    expect(startRules(operations)).toEqual([]);
    expect(gateProperties(checkout)).toMatchObject({ BlockStart: 'true' });
    expect(startRules(tagged)).toEqual([]);
  });

  it('grants nothing more for the start gate', () => {
    const plain = app();
    withProps(plain.operations, RollbackTarget.cloudFormationStack({ stack: plain.checkout }));
    const gated = app();
    withProps(gated.operations, RollbackTarget.cloudFormationStack({ stack: gated.checkout, blockDeploymentsWhileAlarming: true }));

    expect(stackStatements(gated.operations)).toEqual(stackStatements(plain.operations));
  });
});
