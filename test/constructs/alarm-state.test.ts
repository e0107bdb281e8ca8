import { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ACCOUNT, alarmArn, arnJoin, importedAlarm, metricAlarm, testStack } from './support';
import { AlarmReadFailure, AlarmRollback, AlarmRollbackProps, AlarmSource, AlarmStateCheckResult, RollbackTarget, RollbackTrigger, TriggerOn } from '../../src';
import { AlarmStateTargetParameter, ExtensionParameter, HandlerEnv, Metrics } from '../../src/contract';

const CHECK_FUNCTION = Match.stringLikeRegexp('^RollbackAlarmState[0-9A-F]{8}$');
const appConfigRollbackTarget = (environmentId = 'def5678', extra: { blockDeploymentsWhileAlarming?: boolean } = {}) =>
  RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId, ...extra });

function stackWith(props: AlarmRollbackProps = {}): { stack: Stack; rollback: AlarmRollback } {
  const stack = testStack();
  return { stack, rollback: new AlarmRollback(stack, 'Rollback', props) };
}

/** The parameters of every extension association, by target path in the Target parameter. */
function associations(stack: Stack): Array<{ resource: unknown; parameters: Record<string, any> }> {
  return Object.values(Template.fromStack(stack).findResources('AWS::AppConfig::ExtensionAssociation')).map((association: any) => ({
    resource: association.Properties.ResourceIdentifier,
    parameters: association.Properties.Parameters,
  }));
}

/** Parses a parameter value that the template holds as a literal JSON string. */
function parsed(value: unknown): any {
  expect(typeof value).toBe('string');
  return JSON.parse(value as string);
}

describe('the alarm-state check function', () => {
  const { stack, rollback } = stackWith({ notificationTopic: undefined });
  rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: appConfigRollbackTarget() });
  const template = Template.fromStack(stack);

  it('runs the bundle\'s alarm-state entry on pinned nodejs24.x with 256 MB and a 2-second timeout, inside AppConfig\'s wait', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'alarm-state.handler',
      Runtime: 'nodejs24.x',
      MemorySize: 256,
      Timeout: 2,
      ReservedConcurrentExecutions: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^RollbackAlarmStateLogs') } },
    });
    expect(rollback.alarmStateFunction).toBeDefined();
  });

  it('shares the rollback handler\'s asset, so both entries ship in one bundle', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    expect(new Set(functions.map((fn) => JSON.stringify(fn.Properties.Code))).size).toBe(1);
  });

  it('sets the ledger, metric and claim variables of the contract, its own claim lease, the ROLL_BACK policy and a 1-second read budget', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'alarm-state.handler',
      Environment: {
        Variables: {
          [HandlerEnv.LEDGER_TABLE]: { Ref: Match.stringLikeRegexp('^RollbackLedger') },
          [HandlerEnv.LEDGER_RETENTION_DAYS]: '90',
          [HandlerEnv.DRY_RUN]: 'false',
          [HandlerEnv.METRIC_NAMESPACE]: Metrics.DEFAULT_NAMESPACE,
          [HandlerEnv.ROLLBACK_NAME]: 'TestStack/Rollback',
          [HandlerEnv.CLAIM_LEASE_SECONDS]: '2',
          [HandlerEnv.ALARM_READ_FAILURE]: 'ROLL_BACK',
          [HandlerEnv.ALARM_READ_BUDGET_MS]: '1000',
          [HandlerEnv.NOTIFICATION_TOPIC_ARN]: Match.absent(),
        },
      },
    });
  });

  it('may write the ledger and read alarms, and nothing else', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RollbackAlarmStateServiceRole') }] },
    });
    const statements = Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RollbackLedger/), 'Arn'] } },
      { Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules'], Resource: '*' },
    ]);
  });

  it('watches the check\'s errors and throttles', () => {
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: CHECK_FUNCTION } }],
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp(metricName === 'Errors' ? 'ROLL_BACK directive are not errors' : 'throttled'),
      });
    }
  });

  it('watches the check\'s own faults, which answer CONTINUE and so are no Lambda error', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: Metrics.DEFAULT_NAMESPACE,
      MetricName: Metrics.ALARM_STATE_FAULT,
      Dimensions: [{ Name: Metrics.DIMENSION_ROLLBACK, Value: 'TestStack/Rollback' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('let deployments go on unchecked'),
    });
  });

  it('reserves concurrency for the check only when asked, and refuses a reservation that would stop every check', () => {
    const stack2 = testStack();
    new AlarmRollback(stack2, 'Rollback', { alarmStateReservedConcurrency: 5 });
    Template.fromStack(stack2).hasResourceProperties('AWS::Lambda::Function', { Handler: 'alarm-state.handler', ReservedConcurrentExecutions: 5 });
    Template.fromStack(stack2).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', ReservedConcurrentExecutions: Match.absent() });
    expect(() => new AlarmRollback(testStack(), 'Rollback', { alarmStateReservedConcurrency: 0 }))
      .toThrow(/alarmStateReservedConcurrency is 0; it must be a whole number of at least 1 \(0 would stop every check\)/);
  });

  it('renders the alarm-state check count by rollback, trigger and result', () => {
    const metric = rollback.metricAlarmStateChecks(AlarmStateCheckResult.OK, RollbackTrigger.DEPLOYMENT_TICK);
    expect(stack.resolve(metric.toMetricConfig().metricStat)).toMatchObject({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.ALARM_STATE_CHECK,
      statistic: 'Sum',
    });
    expect(metric.dimensions).toEqual({
      [Metrics.DIMENSION_ROLLBACK]: 'TestStack/Rollback',
      [Metrics.DIMENSION_TRIGGER]: 'DEPLOYMENT_TICK',
      [Metrics.DIMENSION_RESULT]: 'OK',
    });
  });

  it('gets the CONTINUE policy and may publish to the topic when asked', () => {
    const stack2 = testStack();
    const topic = new sns.Topic(stack2, 'Topic');
    new AlarmRollback(stack2, 'Rollback', { alarmReadFailure: AlarmReadFailure.CONTINUE, notificationTopic: topic });
    const template2 = Template.fromStack(stack2);
    template2.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'alarm-state.handler',
      Environment: { Variables: Match.objectLike({ [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE', [HandlerEnv.NOTIFICATION_TOPIC_ARN]: { Ref: Match.stringLikeRegexp('^Topic') } }) },
    });
    template2.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RollbackAlarmStateServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^Topic') } }]) },
    });
  });
});

describe('the AppConfig extension', () => {
  const { stack, rollback } = stackWith();
  rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors'), importedAlarm(stack, 'latency')], target: appConfigRollbackTarget() });
  rollback.addTarget('Blocking', { alarms: [importedAlarm(stack, 'other')], target: appConfigRollbackTarget('ghi9012', { blockDeploymentsWhileAlarming: true }) });
  const template = Template.fromStack(stack);

  it('creates a tick extension, and a start gate for the target that blocks starts, both invoking the check through a role', () => {
    template.resourceCountIs('AWS::AppConfig::Extension', 2);
    const action = (name: string) => [{
      Name: name,
      Description: Match.anyValue(),
      Uri: { 'Fn::GetAtt': [CHECK_FUNCTION, 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RollbackAlarmStateExtensionInvokeRole'), 'Arn'] },
    }];
    template.hasResourceProperties('AWS::AppConfig::Extension', {
      Name: `${rollback.ruleNamePrefix}AlarmState`,
      Actions: { AT_DEPLOYMENT_TICK: action('RollBackWhileAlarming'), PRE_START_DEPLOYMENT: Match.absent() },
    });
    template.hasResourceProperties('AWS::AppConfig::Extension', {
      Name: `${rollback.ruleNamePrefix}AlarmGate`,
      Actions: { PRE_START_DEPLOYMENT: action('RefuseStartWhileAlarming'), AT_DEPLOYMENT_TICK: Match.absent() },
    });
    expect(rollback.extension).toBeDefined();
  });

  it('associates the start gate only with the environments of targets that block starts, so no other start waits on the check', () => {
    const gate = (Object.entries(template.findResources('AWS::AppConfig::Extension')) as Array<[string, any]>)
      .find(([, extension]) => extension.Properties.Actions.PRE_START_DEPLOYMENT)![0];
    const gated = Object.values(template.findResources('AWS::AppConfig::ExtensionAssociation'))
      .filter((association: any) => association.Properties.ExtensionIdentifier['Fn::GetAtt'][0] === gate)
      .map((association: any) => association.Properties.ResourceIdentifier);
    expect(gated).toEqual([arnJoin('appconfig', 'application/abc1234/environment/ghi9012')]);
  });

  it('has no start gate while no target blocks starts', () => {
    const { stack: stack2, rollback: rollback2 } = stackWith();
    rollback2.addTarget('Config', { alarms: [importedAlarm(stack2, 'errors')], target: appConfigRollbackTarget() });
    const extensions = Object.values(Template.fromStack(stack2).findResources('AWS::AppConfig::Extension')) as any[];
    expect(extensions.map((extension) => Object.keys(extension.Properties.Actions))).toEqual([['AT_DEPLOYMENT_TICK']]);
  });

  it('declares Target as required and Alarms1 to Alarms9 as optional on both: the 10 parameters AppConfig allows', () => {
    for (const extension of Object.values(template.findResources('AWS::AppConfig::Extension')) as any[]) {
      const parameters = extension.Properties.Parameters;
      expect(Object.keys(parameters)).toEqual(['Target', ...Array.from({ length: 9 }, (_, i) => `Alarms${i + 1}`)]);
      expect(parameters.Target.Required).toBe(true);
      expect(Object.values(parameters).filter((parameter: any) => parameter.Required)).toHaveLength(1);
    }
  });

  it('associates it with each target\'s environment, with the target and its alarms as parameters', () => {
    // The blocking target's environment has the start gate's association too, with the same parameters.
    const found = associations(stack);
    expect(found).toHaveLength(3);
    expect(found[2].parameters).toEqual(found[1].parameters);
    expect(found[0].resource).toEqual(arnJoin('appconfig', 'application/abc1234/environment/def5678'));
    const target: AlarmStateTargetParameter = parsed(found[0].parameters[ExtensionParameter.TARGET]);
    expect(target).toEqual({
      name: 'TestStack/Rollback/Config',
      applicationId: 'abc1234',
      environmentId: 'def5678',
      triggerStates: ['ALARM'],
      actOnPausedAlarms: false,
      blockStart: false,
    });
    expect(parsed(found[0].parameters.Alarms1)).toEqual([alarmArn('errors'), alarmArn('latency')]);
    expect(found[0].parameters.Alarms2).toBeUndefined();
    expect(parsed(found[1].parameters.Target).blockStart).toBe(true);
  });

  it('lets only AppConfig assume the invoke role, allowed to invoke the check only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'appconfig.amazonaws.com' } }] },
      Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [CHECK_FUNCTION, 'Arn'] } }] } }],
    });
  });

  it('associates environments created in the app by their tokens', () => {
    const { stack: stack2, rollback: rollback2 } = stackWith();
    const application = new appconfig.Application(stack2, 'App');
    const environment = new appconfig.Environment(stack2, 'Env', { application });
    rollback2.addTarget('Created', { alarms: [metricAlarm(stack2, 'Errors')], target: RollbackTarget.appConfig({ environment }) });
    const [association] = associations(stack2);
    expect(Stack.of(stack2).resolve(association.resource)).toEqual(arnJoin('appconfig', 'application/',
      { Ref: stack2.getLogicalId(application.node.defaultChild as appconfig.CfnApplication) }, '/environment/',
      { Ref: stack2.getLogicalId(environment.node.defaultChild as appconfig.CfnEnvironment) }));
    expect(JSON.stringify(association.parameters.Alarms1)).toContain('Fn::GetAtt');
  });
});

describe('trigger states and pause switches', () => {
  it('matches ALARM and INSUFFICIENT_DATA in the rules and the check when triggerOn says so, per rollback or per target', () => {
    const { stack, rollback } = stackWith({ triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA });
    rollback.addTarget('Both', { alarms: [importedAlarm(stack, 'a')], target: appConfigRollbackTarget() });
    rollback.addTarget('AlarmOnly', { alarms: [importedAlarm(stack, 'b')], target: appConfigRollbackTarget('ghi9012'), triggerOn: TriggerOn.ALARM });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: [alarmArn('a')], detail: { state: { value: ['ALARM', 'INSUFFICIENT_DATA'] } } }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: [alarmArn('b')], detail: { state: { value: ['ALARM'] } } }),
    });
    const [both, alarmOnly] = associations(stack).map((association) => parsed(association.parameters.Target));
    expect(both.triggerStates).toEqual(['ALARM', 'INSUFFICIENT_DATA']);
    expect(alarmOnly.triggerStates).toEqual(['ALARM']);
  });

  it('passes actOnPausedAlarms to the rule input and the check, per rollback or per target', () => {
    const { stack, rollback } = stackWith({ actOnPausedAlarms: true });
    rollback.addTarget('Paused', { alarms: [importedAlarm(stack, 'a')], target: appConfigRollbackTarget() });
    rollback.addTarget('NotPaused', { alarms: [importedAlarm(stack, 'b')], target: appConfigRollbackTarget('ghi9012'), actOnPausedAlarms: false });
    const inputs = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((rule: any) => JSON.parse(rule.Properties.Targets[0].InputTransformer.InputTemplate.replace('<f1>', 'null')).target.actOnPausedAlarms);
    expect(inputs).toEqual([true, false]);
    expect(associations(stack).map((association) => parsed(association.parameters.Target).actOnPausedAlarms)).toEqual([true, false]);
  });
});

describe('Proton start rules', () => {
  it('sends the handler the target with every status change of its environment to IN_PROGRESS, delivered like the alarm rules', () => {
    const { stack, rollback } = stackWith();
    const { rules } = rollback.addTarget('Env', { alarms: [importedAlarm(stack, 'health')], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });
    expect(rules).toHaveLength(2);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: Match.stringLikeRegexp(`^${rollback.ruleNamePrefix}Env-[0-9a-f]{6}-s$`),
      EventPattern: { 'source': ['aws.proton'], 'detail-type': ['AWS Proton Environment Status Change'], 'detail': { name: ['prod'], status: ['IN_PROGRESS'] } },
      Targets: [Match.objectLike({
        InputTransformer: {
          InputPathsMap: { f1: '$' },
          InputTemplate: '{"version":2,"target":{"kind":"proton-environment","name":"TestStack/Rollback/Env",'
            + `"alarmArns":["${alarmArn('health')}"],"triggerStates":["ALARM"],"actOnPausedAlarms":false,"environmentName":"prod"},"event":<f1>}`,
        },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: Match.anyValue(),
      })],
    });
    // The one invoke permission covers the start rule: its name has the prefix.
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    // No AppConfig target: no extension.
    template.resourceCountIs('AWS::AppConfig::Extension', 0);
    expect(rollback.extension).toBeUndefined();
  });
});

describe('alarmStateChecks: false', () => {
  it('leaves out the check, the extension, its role, the associations, the start rules and their watchers', () => {
    const { stack, rollback } = stackWith({ alarmStateChecks: false });
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'a')], target: appConfigRollbackTarget() });
    rollback.addTarget('Env', { alarms: [importedAlarm(stack, 'b')], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::AppConfig::Extension', 0);
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(rollback.alarmStateFunction).toBeUndefined();
    expect(rollback.extension).toBeUndefined();
  });
});

describe('alarm-state check validation', () => {
  it('refuses two targets on one AppConfig environment, naming the environment, the first target and the fix', () => {
    const { stack, rollback } = stackWith();
    rollback.addTarget('First', { alarms: [importedAlarm(stack, 'a')], target: appConfigRollbackTarget() });
    expect(() => rollback.addTarget('Second', { alarms: [importedAlarm(stack, 'b')], target: appConfigRollbackTarget() })).toThrow(
      /^\[TestStack\/Rollback\/Second\] the AppConfig environment "def5678" of application "abc1234" is already the target "TestStack\/Rollback\/First" .*\. Give the environment one addTarget call with all of its alarms, or set alarmStateChecks: false/);
  });

  it('allows two targets on one environment when alarmStateChecks is false', () => {
    const { stack, rollback } = stackWith({ alarmStateChecks: false });
    rollback.addTarget('First', { alarms: [importedAlarm(stack, 'a')], target: appConfigRollbackTarget() });
    expect(() => rollback.addTarget('Second', { alarms: [importedAlarm(stack, 'b')], target: appConfigRollbackTarget() })).not.toThrow();
  });

  it('spreads alarm ARNs over AlarmsN values of at most 2,048 characters each', () => {
    const { stack, rollback } = stackWith();
    const alarms = Array.from({ length: 40 }, (_, i) => importedAlarm(stack, `alarm-${i}-${'x'.repeat(100)}`));
    rollback.addTarget('Many', { alarms, target: appConfigRollbackTarget() });
    const [association] = associations(stack);
    const values = Object.entries(association.parameters).filter(([name]) => name.startsWith('Alarms')).map(([, value]) => value as string);
    expect(values.length).toBeGreaterThan(1);
    for (const value of values) expect(value.length).toBeLessThanOrEqual(2048);
    expect(values.flatMap((value) => JSON.parse(value))).toEqual(alarms.map((alarm) => alarm.alarmArn));
  });

  it('refuses alarms whose ARNs cannot fit in 9 values, with the figure, the quota and the fix', () => {
    const { stack, rollback } = stackWith();
    const alarms = Array.from({ length: 100 }, (_, i) => importedAlarm(stack, `alarm-${i}-${'x'.repeat(240)}`));
    expect(() => rollback.addTarget('TooMany', { alarms, target: appConfigRollbackTarget() })).toThrow(
      /^\[TestStack\/Rollback\/TooMany\] the 100 alarm ARNs .* can take \d+ characters once deployed; its extension association holds 9 values of 2048 characters .*\. Combine the alarms into a few cloudwatch.CompositeAlarm/);
  });

  it('leaves alarms of other accounts and Regions to the event path, with a warning', () => {
    const { stack, rollback } = stackWith({ alarmSources: [AlarmSource.account(ACCOUNT, { regions: ['us-west-2'] }), AlarmSource.account('222222222222')] });
    rollback.addTarget('Mixed', {
      alarms: [importedAlarm(stack, 'here'), importedAlarm(stack, 'there', 'us-west-2'), importedAlarm(stack, 'theirs', undefined, '222222222222')],
      target: appConfigRollbackTarget(),
    });
    expect(parsed(associations(stack)[0].parameters.Alarms1)).toEqual([alarmArn('here')]);
    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback/Mixed', Match.stringLikeRegexp('2 alarm\\(s\\) of this target \\(there, theirs\\) are in another account or Region'));
  });

  it('warns at synth about an alarm of a kind the check cannot read, and not about log alarms', () => {
    /** An IAlarm over some resource: `type` is its CloudFormation type. */
    class ResourceAlarm extends cloudwatch.AlarmBase {
      public readonly alarmArn: string;
      public readonly alarmName: string;
      constructor(scope: Construct, id: string, type: string) {
        super(scope, id);
        new CfnResource(this, 'Resource', { type });
        this.alarmName = id;
        this.alarmArn = alarmArn(id);
      }
    }
    const { stack, rollback } = stackWith();
    const slo = new ResourceAlarm(stack, 'checkout-slo', 'Custom::SloAlarm');
    const logs = new ResourceAlarm(stack, 'checkout-log-errors', 'AWS::CloudWatch::LogAlarm');

    rollback.addTarget('Kinds', { alarms: [slo, logs, metricAlarm(stack, 'Errors')], target: appConfigRollbackTarget() });

    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Rollback/Kinds', Match.stringLikeRegexp('not CloudWatch metric, composite or log alarms'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/1 alarm\(s\) of this target .*: TestStack\/checkout-slo \(Custom::SloAlarm\)\. .*MetricAlarm, CompositeAlarm, LogAlarm only .*MISSING/);
    expect(warnings[0].entry.data).not.toMatch(/checkout-log-errors/);
  });

  it('associates nothing for a target whose alarms are all elsewhere', () => {
    const { stack, rollback } = stackWith({ alarmSources: [AlarmSource.account(ACCOUNT, { regions: ['us-west-2'] })] });
    rollback.addTarget('Away', { alarms: [importedAlarm(stack, 'there', 'us-west-2')], target: appConfigRollbackTarget() });
    Template.fromStack(stack).resourceCountIs('AWS::AppConfig::ExtensionAssociation', 0);
  });
});
