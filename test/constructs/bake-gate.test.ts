import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACCOUNT, REGION, importedAlarm, metricAlarm } from './support';
import { AlarmRollback, RollbackTarget } from '../../src';
import { BAKE_GATE_RESOURCE_TYPE, BakeGateProperty } from '../../src/contract';

const env = { account: ACCOUNT, region: REGION };

/** The user guide's quick start: the stack to guard, and the AlarmRollback in a stack of its own watching alarms by name. */
function quickStart(bake: Duration = Duration.minutes(15)) {
  const app = new App();
  const checkout = new Stack(app, 'Checkout', { env });
  new sqs.Queue(checkout, 'Orders');
  new lambda.Function(checkout, 'Api', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
  const operations = new Stack(app, 'Operations', { env });
  const rollback = new AlarmRollback(operations, 'Rollback');
  rollback.addTarget('Checkout', { alarms: [importedAlarm(operations, 'checkout-5xx')], target: RollbackTarget.cloudFormationStack({ stack: checkout, bake }) });
  return { app, checkout, operations, rollback };
}

/** The part of an AWS::IAM::Policy resource the IAM test reads. */
interface PolicyResource {
  readonly Properties: { readonly PolicyDocument: { readonly Statement: Array<{ Action: unknown; Resource: unknown }> } };
}

/** Every other logical ID of a template's resources. */
function otherResources(template: Template, type: string): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  return Object.keys(resources).filter((id) => resources[id].Type !== type && resources[id].Type !== 'AWS::CDK::Metadata');
}

describe('the bake option of a CloudFormation stack target', () => {
  it('places one gate in the guarded stack: last of its resources, its bake in seconds, CloudFormation\'s full hour to answer', () => {
    const { checkout } = quickStart();
    const template = Template.fromStack(checkout);

    template.resourceCountIs(BAKE_GATE_RESOURCE_TYPE, 1);
    template.hasResourceProperties(BAKE_GATE_RESOURCE_TYPE, {
      ServiceTimeout: 3600,
      [BakeGateProperty.BAKE_SECONDS]: '900',
      [BakeGateProperty.TARGET]: 'Operations/Rollback/Checkout',
      [BakeGateProperty.TRIGGER_STATES]: ['ALARM'],
      [BakeGateProperty.ACT_ON_PAUSED_ALARMS]: 'false',
      [BakeGateProperty.BLOCK_START]: 'false',
      [BakeGateProperty.ALARM_READ_FAILURE]: 'ROLL_BACK',
      [BakeGateProperty.TEMPLATE_HASH]: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
    });
    const gate = Object.values(template.findResources(BAKE_GATE_RESOURCE_TYPE))[0] as { DependsOn: string[] };
    expect([...gate.DependsOn].sort()).toEqual(otherResources(template, BAKE_GATE_RESOURCE_TYPE).sort());
  });

  it('names the shared provider by an ARN built in the guarded stack, so the stacks depend one way only and the app synthesizes', () => {
    const { app, checkout, operations } = quickStart();

    expect(() => app.synth()).not.toThrow();
    expect(checkout.dependencies).toEqual([operations]);
    expect(operations.dependencies).toEqual([]);
    const checkoutJson = JSON.stringify(Template.fromStack(checkout).toJSON());
    expect(checkoutJson).not.toContain('Fn::ImportValue');
    const providerName = (Template.fromStack(operations).findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: Match.stringLikeRegexp('^AlarmRollbackBakeGate-') },
    }));
    const names = Object.values(providerName).map((fn) => (fn as { Properties: { FunctionName: string } }).Properties.FunctionName);
    expect(names).toHaveLength(1);
    expect(names[0].length).toBeLessThanOrEqual(64);
    expect(checkoutJson).toContain(`:function:${names[0]}`);
  });

  it('refuses an alarm created in the guarded stack, naming the alarm, the cycle and the fix, before CDK reports a cycle of stacks', () => {
    const app = new App();
    const checkout = new Stack(app, 'Checkout', { env });
    const errors = metricAlarm(checkout, 'Errors');
    const operations = new Stack(app, 'Operations', { env });
    const rollback = new AlarmRollback(operations, 'Rollback');

    expect(() => rollback.addTarget('Checkout', {
      alarms: [importedAlarm(operations, 'checkout-5xx'), errors],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }),
    })).toThrow('[Operations/Rollback/Checkout] alarm Checkout/Errors is created in stack Checkout, the stack this target bakes: '
      + 'the gate makes Checkout depend on this AlarmRollback\'s stack Operations (its provider must exist first), '
      + 'and reading the alarm\'s ARN would make Operations depend on Checkout, a cycle no deployment order can satisfy. '
      + 'Create the alarm in Operations or in a monitoring stack both can depend on, or give it an alarmName and pass '
      + 'cloudwatch.Alarm.fromAlarmName(<a construct of Operations>, id, alarmName) to addTarget instead');
  });

  it('refuses an alarm created in a stack nested in the guarded stack, since the gate goes in its root', () => {
    const app = new App();
    const checkout = new Stack(app, 'Checkout', { env });
    const errors = metricAlarm(new NestedStack(checkout, 'Api'), 'Errors');
    const operations = new Stack(app, 'Operations', { env });

    expect(() => new AlarmRollback(operations, 'Rollback').addTarget('Checkout', {
      alarms: [errors],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }),
    })).toThrow(/alarm Checkout\/Api\/Errors is created in stack Checkout, the stack this target bakes/);
  });

  it('accepts the guarded stack\'s alarms by name, and alarms of a monitoring stack: the app synthesizes', () => {
    const app = new App();
    const checkout = new Stack(app, 'Checkout', { env });
    metricAlarm(checkout, 'Errors');
    const monitoring = new Stack(app, 'Monitoring', { env });
    const latency = metricAlarm(monitoring, 'Latency');
    const operations = new Stack(app, 'Operations', { env });
    new AlarmRollback(operations, 'Rollback').addTarget('Checkout', {
      alarms: [cloudwatch.Alarm.fromAlarmName(operations, 'Errors', 'checkout-errors'), latency],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }),
    });

    expect(() => app.synth()).not.toThrow();
    expect(checkout.dependencies.map((stack) => stack.stackName).sort()).toEqual(['Monitoring', 'Operations']);
  });

  it('leaves to cdk synth a cycle made by another target, with the gate\'s reason and the way out in its message', () => {
    const app = new App();
    const checkout = new Stack(app, 'Checkout', { env });
    const application = new appconfig.Application(checkout, 'Application');
    const environment = new appconfig.Environment(checkout, 'Environment', { application });
    const operations = new Stack(app, 'Operations', { env });
    const rollback = new AlarmRollback(operations, 'Rollback');
    rollback.addTarget('Checkout', {
      alarms: [importedAlarm(operations, 'checkout-5xx')],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }),
    });
    rollback.addTarget('CheckoutConfig', { alarms: [importedAlarm(operations, 'config-5xx')], target: RollbackTarget.appConfig({ environment }) });

    expect(() => app.synth()).toThrow(new RegExp('the bake gate\'s provider must exist before the gate runs; the AlarmRollback\'s stack must read nothing created in the stack it bakes: '
      + 'create its alarms and environments elsewhere, or reference them by name or ID[\\s\\S]*cyclic'));
  });

  it('warns that the gate cannot read alarms chosen by tag, and says what to do', () => {
    const other = new App();
    const guarded = new Stack(other, 'Checkout', { env });
    new sqs.Queue(guarded, 'Orders');
    const operations = new Stack(other, 'Operations', { env });
    new AlarmRollback(operations, 'Rollback').addTarget('Checkout', {
      alarmTags: { service: 'checkout' },
      target: RollbackTarget.cloudFormationStack({ stack: guarded, bake: Duration.minutes(5) }),
    });

    Annotations.fromStack(operations).hasWarning('/Operations/Rollback/Checkout', Match.stringLikeRegexp(
      'the bake gate of stack Checkout reads only the alarms listed in alarms \\(0\\), by ARN: it cannot read the alarms this target matches by alarmTags \\(service=checkout\\).*'
      + 'List the alarms that must fail the bake in alarms, too'));
    // A target with its alarms listed gets no such warning.
    expect(Annotations.fromStack(quickStart().operations).findWarning('*', Match.stringLikeRegexp('bake gate'))).toEqual([]);
  });

  it('runs the gate through one Provider per AlarmRollback: onEvent and isComplete, polled every 30 s for at most the hour', () => {
    const app = new App();
    const operations = new Stack(app, 'Operations', { env });
    const rollback = new AlarmRollback(operations, 'Rollback');
    for (const name of ['Checkout', 'Payments']) {
      const stack = new Stack(app, name, { env });
      new sqs.Queue(stack, 'Queue');
      rollback.addTarget(name, { alarms: [importedAlarm(operations, `${name}-5xx`)], target: RollbackTarget.cloudFormationStack({ stack, bake: Duration.minutes(10) }) });
    }
    const template = Template.fromStack(operations);

    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'bake-gate.onEvent', Timeout: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'bake-gate.isComplete', Timeout: 60 });
    // The framework's waiter: totalTimeout / queryInterval = 3600 s / 30 s retries of isComplete, 30 s apart.
    const machine = JSON.stringify(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]);
    expect(machine).toContain('\\"IntervalSeconds\\":30');
    expect(machine).toContain('\\"MaxAttempts\\":120');
  });

  it('lets the gate\'s functions read the guarded stack only, and cancel nothing', () => {
    const { operations } = quickStart();
    const template = Template.fromStack(operations);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));

    const gateRoles = Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^bake-gate\\.') } }))
      .map(([, fn]) => JSON.stringify((fn as { Properties: { Role: unknown } }).Properties.Role));
    expect(gateRoles).toHaveLength(2);
    const gateStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => gateRoles.some((role) =>
        JSON.stringify((policy as { Properties: { Roles: unknown[] } }).Properties.Roles).includes(JSON.parse(role)['Fn::GetAtt'][0])))
      .flatMap((policy) => (policy as PolicyResource).Properties.PolicyDocument.Statement);
    const stackStatements = gateStatements.filter((statement) => JSON.stringify(statement.Action).includes('cloudformation:'));
    expect(stackStatements.length).toBeGreaterThan(0);
    for (const statement of stackStatements) {
      expect([...statement.Action as string[]].sort()).toEqual(['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks']);
      expect(JSON.stringify(statement.Resource)).toContain(':stack/Checkout/*');
    }
    expect(policies).toContain('cloudformation:CancelUpdateStack');
    expect(JSON.stringify(gateStatements)).not.toContain('cloudformation:CancelUpdateStack');
  });

  it.each([
    [Duration.minutes(56), /bake is 56 minutes \(3360 s\); a custom resource can be held at most 3600 s/],
    [Duration.millis(1500), /bake is .*1\.5 s\)/],
  ])('refuses a bake of %s at synth, with the limit', (bake, message) => {
    expect(() => quickStart(bake)).toThrow(message);
  });

  it('refuses a bake with stackName: a stack deployed elsewhere cannot hold a gate', () => {
    const stack = new Stack(new App(), 'Operations', { env });
    const rollback = new AlarmRollback(stack, 'Rollback');
    expect(() => rollback.addTarget('Web', {
      alarms: [importedAlarm(stack, 'web-5xx')],
      target: RollbackTarget.cloudFormationStack({ stackName: 'web', bake: Duration.minutes(5) }),
    })).toThrow(/bake was given with stackName/);
  });

  it('refuses a second bake on the same stack', () => {
    const { checkout, operations, rollback } = quickStart();
    expect(() => rollback.addTarget('CheckoutAgain', {
      alarms: [importedAlarm(operations, 'checkout-latency')],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(5) }),
    })).toThrow(/already has a bake gate from another target/);
  });

  it('adds nothing to the guarded stack without a bake', () => {
    const app = new App();
    const checkout = new Stack(app, 'Checkout', { env });
    new sqs.Queue(checkout, 'Orders');
    const operations = new Stack(app, 'Operations', { env });
    new AlarmRollback(operations, 'Rollback').addTarget('Checkout', { alarms: [importedAlarm(operations, 'checkout-5xx')], target: RollbackTarget.cloudFormationStack({ stack: checkout }) });

    Template.fromStack(checkout).resourceCountIs(BAKE_GATE_RESOURCE_TYPE, 0);
    Template.fromStack(operations).resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(checkout.dependencies).toEqual([]);
  });
});
