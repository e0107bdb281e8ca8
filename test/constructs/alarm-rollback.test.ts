import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ACCOUNT, REGION, alarmArn, arnJoin, importedAlarm, metricAlarm, testStack } from './support';
import { AlarmRollback, AlarmRollbackTarget, AlarmSource, RollbackOutcome, RollbackTarget } from '../../src';
import { HandlerEnv, Ledger, Metrics } from '../../src/contract';

const DLQ = { 'Fn::GetAtt': [Match.stringLikeRegexp('^RollbackDeadLetterQueue'), 'Arn'] };
const HANDLER = { 'Fn::GetAtt': [Match.stringLikeRegexp('^RollbackHandler[0-9A-F]{8}$'), 'Arn'] };
const DLQ_ARN = { 'Fn::GetAtt': [expect.stringMatching(/^RollbackDeadLetterQueue/), 'Arn'] };
const LEDGER_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'];

/** The statements of the handler's inline policies: its own grants, then the target grants (a policy of their own). */
function handlerPolicyStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RollbackHandlerServiceRole') }] },
  });
  const ids = Object.keys(policies).sort((a, b) => Number(a.startsWith('RollbackTargetGrants')) - Number(b.startsWith('RollbackTargetGrants')));
  expect(ids.length).toBeLessThanOrEqual(2);
  return ids.flatMap((id) => policies[id].Properties.PolicyDocument.Statement);
}

describe('AlarmRollback with defaults', () => {
  let stack: Stack;
  let rollback: AlarmRollback;
  let template: Template;

  beforeEach(() => {
    stack = testStack();
    rollback = new AlarmRollback(stack, 'Rollback');
    rollback.addTarget('ConfigRollout', {
      alarms: [importedAlarm(stack, 'errors'), importedAlarm(stack, 'latency')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    rollback.addTarget('ProdEnvironment', {
      alarms: [importedAlarm(stack, 'env-health')],
      target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
    });
    template = Template.fromStack(stack);
  });

  it('deploys one pinned nodejs24.x handler with 256 MB, 30 s and no reserved concurrency by default', () => {
    // The handler and the alarm-state check.
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      ReservedConcurrentExecutions: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^RollbackHandlerLogs') } },
    });
  });

  it('sets every handler environment variable from the contract, and no topic when none is given', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [HandlerEnv.LEDGER_TABLE]: { Ref: Match.stringLikeRegexp('^RollbackLedger') },
          [HandlerEnv.LEDGER_RETENTION_DAYS]: '90',
          [HandlerEnv.DRY_RUN]: 'false',
          [HandlerEnv.METRIC_NAMESPACE]: Metrics.DEFAULT_NAMESPACE,
          [HandlerEnv.ROLLBACK_NAME]: 'TestStack/Rollback',
          [HandlerEnv.CLAIM_LEASE_SECONDS]: '30',
          [HandlerEnv.NOTIFICATION_TOPIC_ARN]: Match.absent(),
        },
      },
    });
    expect(rollback.rollbackName).toBe('TestStack/Rollback');
  });

  it('keeps the handler logs and the alarm-state check\'s one year, each in its own log group', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    expect(Object.values(template.findResources('AWS::Logs::LogGroup')).map((group: any) => group.Properties.RetentionInDays)).toEqual([365, 365]);
  });

  it('retries failed asynchronous invocations twice for up to 6 hours, then sends them to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^RollbackHandler') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: DLQ } },
    });
  });

  it('creates an encrypted, TLS-only dead-letter queue that keeps messages 14 days', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets the rules of this AlarmRollback, and only them, send to the dead-letter queue, in one statement', () => {
    const statements = Object.values(template.findResources('AWS::SQS::QueuePolicy'))[0].Properties.PolicyDocument.Statement;
    const sends = statements.filter((statement: any) => statement.Effect === 'Allow');
    expect(sends).toEqual([{
      Sid: 'AllowRollbackRulesToDeadLetter',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: DLQ_ARN,
      Condition: { ArnLike: { 'aws:SourceArn': arnJoin('events', `rule/${rollback.ruleNamePrefix}*`) } },
    }]);
  });

  it('creates an on-demand ledger with point-in-time recovery, TTL, the outcome index and AWS-managed encryption, retained on delete', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: Ledger.PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: Ledger.SORT_KEY, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: Ledger.PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: Ledger.SORT_KEY, AttributeType: 'S' },
          { AttributeName: Ledger.OUTCOME_INDEX_PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: Ledger.OUTCOME_INDEX_SORT_KEY, AttributeType: 'S' },
        ]),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: Ledger.TTL_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [{
          IndexName: Ledger.OUTCOME_INDEX,
          KeySchema: [
            { AttributeName: Ledger.OUTCOME_INDEX_PARTITION_KEY, KeyType: 'HASH' },
            { AttributeName: Ledger.OUTCOME_INDEX_SORT_KEY, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }],
      },
    });
  });

  it('creates one rule per target matching only that target\'s alarms in ALARM, and one on the Proton environment\'s starts', () => {
    template.resourceCountIs('AWS::Events::Rule', 3);
    expect(rollback.rules).toHaveLength(3);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [alarmArn('errors'), alarmArn('latency')],
        'detail': { state: { value: ['ALARM'] } },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [alarmArn('env-health')],
        'detail': { state: { value: ['ALARM'] } },
      },
    });
  });

  it('sends the handler the whole event and the AppConfig target\'s identifiers', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [{
        Arn: HANDLER,
        InputTransformer: {
          InputPathsMap: { f1: '$' },
          InputTemplate: JSON.stringify({
            version: 2,
            target: {
              kind: 'appconfig',
              name: 'TestStack/Rollback/ConfigRollout',
              alarmArns: [alarmArn('errors'), alarmArn('latency')],
              triggerStates: ['ALARM'],
              actOnPausedAlarms: false,
              applicationId: 'abc1234',
              environmentId: 'def5678',
              revertCompletedWithinSeconds: 0,
            },
            event: '<f1>',
          }).replace('"<f1>"', '<f1>'),
        },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: DLQ },
      }],
    });
  });

  it('sends the handler the whole event and the Proton target\'s identifiers', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        InputTransformer: {
          InputPathsMap: { f1: '$' },
          InputTemplate: '{"version":2,"target":{"kind":"proton-environment","name":"TestStack/Rollback/ProdEnvironment",'
            + `"alarmArns":["${alarmArn('env-health')}"],"triggerStates":["ALARM"],"actOnPausedAlarms":false,"environmentName":"prod"},"event":<f1>}`,
        },
      })],
    });
  });

  it('lets EventBridge invoke the handler from the rules of this AlarmRollback only, with one permission', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: HANDLER,
      SourceAccount: ACCOUNT,
      SourceArn: arnJoin('events', `rule/${rollback.ruleNamePrefix}*`),
    });
  });

  it('names every rule with the prefix its permission and queue statement allow, within EventBridge\'s name rules', () => {
    const names = Object.values(template.findResources('AWS::Events::Rule')).map((rule: any) => rule.Properties.Name);
    expect(names).toHaveLength(3);
    for (const name of names) {
      expect(name.startsWith(rollback.ruleNamePrefix)).toBe(true);
      expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    }
    expect(new Set(names).size).toBe(3);
  });

  it('grants the handler exactly the ledger writes, the DLQ send, DescribeAlarms and each target\'s calls on its own resources', () => {
    expect(handlerPolicyStatements(stack)).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RollbackDeadLetterQueue/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: LEDGER_ACTIONS,
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RollbackLedger/), 'Arn'] },
      },
      // Composite alarms are returned only to a caller allowed DescribeAlarms on "*".
      { Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['appconfig:ListDeployments', 'appconfig:GetDeployment', 'appconfig:StopDeployment'],
        // A 7-character environment ID starts no other ID: one ARN covers the environment and its deployments.
        Resource: [
          arnJoin('appconfig', 'application/abc1234'),
          arnJoin('appconfig', 'application/abc1234/environment/def5678*'),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['proton:GetEnvironment', 'proton:CancelEnvironmentDeployment'],
        Resource: arnJoin('proton', 'environment/prod'),
      },
    ]);
  });

  it('creates the handler only after the policy of target grants, so it never runs without them', () => {
    const [grants] = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('RollbackTargetGrants'));
    expect(grants).toBeDefined();
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([grants]) });
  });

  it('watches handler errors, handler throttles, the dead-letter queue and the alarm-state check with alarms that ignore missing data', () => {
    // Errors and throttles of both functions, the queue, the check's own faults, and watched alarms it did not find.
    expect(rollback.alarms).toHaveLength(7);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    for (const [namespace, metricName, statistic] of [
      ['AWS/Lambda', 'Errors', 'Sum'],
      ['AWS/Lambda', 'Throttles', 'Sum'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum'],
      [Metrics.DEFAULT_NAMESPACE, Metrics.ALARM_STATE_FAULT, 'Sum'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: metricName,
        Statistic: statistic,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('renders outcome and latency metrics with the handler\'s namespace and dimensions', () => {
    expect(stack.resolve(rollback.metricOutcome(RollbackOutcome.ROLLED_BACK).toMetricConfig().metricStat)).toMatchObject({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.OUTCOME,
      statistic: 'Sum',
    });
    expect(stack.resolve(rollback.metricOutcome(RollbackOutcome.ROLLED_BACK).dimensions)).toEqual({
      [Metrics.DIMENSION_ROLLBACK]: 'TestStack/Rollback',
      [Metrics.DIMENSION_OUTCOME]: 'ROLLED_BACK',
    });
    expect(rollback.metricFailures().dimensions).toEqual({ Rollback: 'TestStack/Rollback', Outcome: 'FAILED' });
    const latency = rollback.metricAlarmToActionLatency();
    expect(latency.metricName).toBe(Metrics.ALARM_TO_ACTION_LATENCY);
    expect(latency.statistic).toBe('p90');
    expect(latency.dimensions).toEqual({ Rollback: 'TestStack/Rollback' });
    expect(rollback.metricAlarmToActionLatency({ statistic: 'Maximum', period: Duration.minutes(1) }).statistic).toBe('Maximum');
    expect(stack.resolve(rollback.metricHandlerErrors().dimensions)).toEqual({ FunctionName: { Ref: expect.stringMatching(/^RollbackHandler/) } });
  });

  it('grants read access to the ledger and its index with grantReadLedger', () => {
    stack = testStack();
    rollback = new AlarmRollback(stack, 'Rollback');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    rollback.grantReadLedger(reader);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan']),
          Resource: Match.arrayWith([
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^RollbackLedger'), 'Arn'] },
          ]),
        })]),
      },
    });
  });
});

describe('AlarmRollback with props', () => {
  it('publishes to the given topic, and only to it', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Topic');
    new AlarmRollback(stack, 'Rollback', { notificationTopic: topic, dryRun: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [HandlerEnv.NOTIFICATION_TOPIC_ARN]: { Ref: Match.stringLikeRegexp('^Topic') },
          [HandlerEnv.DRY_RUN]: 'true',
        }),
      },
    });
    expect(handlerPolicyStatements(stack)).toContainEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: { Ref: expect.stringMatching(/^Topic/) },
    });
  });

  it('uses a ledger you bring, granting writes on that table and its KMS key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    const table = new dynamodb.Table(stack, 'MyLedger', {
      partitionKey: { name: Ledger.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: Ledger.SORT_KEY, type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    });
    const rollback = new AlarmRollback(stack, 'Rollback', { ledger: table });
    expect(rollback.ledger).toBe(table);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [HandlerEnv.LEDGER_TABLE]: { Ref: Match.stringLikeRegexp('^MyLedger') } }) },
    });
    const statements = handlerPolicyStatements(stack);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: LEDGER_ACTIONS,
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MyLedger/), 'Arn'] },
    });
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt']),
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    }));
  });

  it('warns that removalPolicy is ignored for a ledger you bring', () => {
    const stack = testStack();
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'ledger');
    new AlarmRollback(stack, 'Rollback', { ledger: table, removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback', Match.stringLikeRegexp('removalPolicy applies only'));
  });

  it('applies ledger retention, log retention, rule retries, event age and removal policy', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', {
      ledgerRetention: Duration.days(30),
      logRetention: logs.RetentionDays.ONE_MONTH,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(15),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    rollback.addTarget('Config', {
      alarms: [importedAlarm(stack, 'errors')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [HandlerEnv.LEDGER_RETENTION_DAYS]: '30' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 } })],
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('creates no watcher alarms when monitoring is off', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { monitoring: false });
    expect(rollback.alarms).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('AlarmRollback alarms', () => {
  it('accepts alarms created in the stack, composite alarms and cross-account, cross-region alarms imported by ARN', () => {
    const stack = testStack();
    const errors = metricAlarm(stack, 'Errors');
    const latency = metricAlarm(stack, 'Latency');
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.anyOf(errors, latency),
    });
    const remote = importedAlarm(stack, 'remote', 'us-east-1', '222222222222');
    const rollback = new AlarmRollback(stack, 'Rollback', { alarmSources: [AlarmSource.account('222222222222', { regions: ['us-east-1'] })] });
    rollback.addTarget('Config', {
      alarms: [errors, composite, remote],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        resources: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^Composite'), 'Arn'] },
          alarmArn('remote', 'us-east-1', '222222222222'),
        ],
      }),
    });
  });

  it('lets the same alarm watch two targets', () => {
    const stack = testStack();
    const alarm = metricAlarm(stack, 'Errors');
    const rollback = new AlarmRollback(stack, 'Rollback');
    rollback.addTarget('Config', { alarms: [alarm], target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }) });
    rollback.addTarget('Env', { alarms: [alarm], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });
    // And the Proton environment's start rule.
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 3);
  });
});

describe('AlarmRollback validation', () => {
  const appConfig = () => RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' });

  it('refuses a target without alarms', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    expect(() => rollback.addTarget('Config', { alarms: [], target: appConfig() }))
      .toThrow(/^\[TestStack\/Rollback\/Config\] addTarget was given no alarms.*Pass at least one cloudwatch\.IAlarm/);
  });

  it('refuses the same alarm twice in one target, as one object or as the same ARN', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const alarm = metricAlarm(stack, 'Errors');
    expect(() => rollback.addTarget('Twice', { alarms: [alarm, alarm], target: appConfig() }))
      .toThrow(/\[TestStack\/Rollback\/Twice\] alarm 1 \(TestStack\/Errors\) is the same alarm as alarm 0\. Pass each alarm once per target/);
    const a = importedAlarm(stack, 'errors');
    const b = cloudwatch.Alarm.fromAlarmArn(stack, 'Again', alarmArn('errors'));
    expect(() => rollback.addTarget('SameArn', { alarms: [a, b], target: appConfig() }))
      .toThrow(new RegExp(`\\[TestStack/Rollback/SameArn\\] alarm 1 \\(${alarmArn('errors')}\\) is the same alarm as alarm 0`));
  });

  it('refuses a duplicate target id', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'a')], target: appConfig() });
    expect(() => rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'b')], target: appConfig() }))
      .toThrow(/\[TestStack\/Rollback\] addTarget id "Config" is already used in this AlarmRollback\. Give every addTarget call its own id/);
  });

  it('refuses more than 100 alarms in one target', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const alarms = Array.from({ length: 101 }, (_, i) => importedAlarm(stack, `a${i}`));
    expect(() => rollback.addTarget('Many', { alarms, target: appConfig() }))
      .toThrow(/\[TestStack\/Rollback\/Many\] addTarget was given 101 alarms; a target takes at most 100.*CompositeAlarm/);
  });

  it('spreads alarms that outgrow one rule over several, each pattern within 2,048 characters and each input listing only its alarms', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const arns = Array.from({ length: 30 }, (_, i) => alarmArn(`${'x'.repeat(200)}-${i}`));
    const { rules } = rollback.addTarget('Huge', {
      alarms: arns.map((arn, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Long${i}`, arn)),
      target: appConfig(),
    });
    expect(rules.length).toBeGreaterThan(3);
    expect(rollback.rules).toEqual(rules);
    const resources = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as any[];
    expect(resources).toHaveLength(rules.length);
    const watched: string[] = [];
    for (const rule of resources) {
      const pattern = rule.Properties.EventPattern;
      expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(2048);
      const template = rule.Properties.Targets[0].InputTransformer.InputTemplate;
      const input = JSON.parse(template.replace('<f1>', 'null'));
      expect(input.target.alarmArns).toEqual(pattern.resources);
      expect(input.target.name).toBe('TestStack/Rollback/Huge');
      watched.push(...pattern.resources);
    }
    expect(watched).toEqual(arns);
    expect(Template.fromStack(stack).findResources('AWS::Lambda::Permission')).not.toEqual({});
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 1);
  });

  it('counts an alarm ARN it cannot know at synth time at the longest an alarm ARN can be', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const alarms = Array.from({ length: 12 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Exported${i}`, Fn.importValue(`alarm-${i}`)));
    // 12 unknown ARNs of up to 321 characters each: about 5 per 2,048-character pattern.
    expect(rollback.addTarget('Imported', { alarms, target: appConfig() }).rules).toHaveLength(3);
  });

  it.each([
    [Duration.seconds(30), '30 seconds'],
    [Duration.hours(25), '1 day 1 hour'],
    [Duration.millis(90_500), '90500 ms'],
  ])('refuses a maxEventAge of %s, outside 1 minute to 24 hours in whole seconds', (maxEventAge, words) => {
    expect(() => new AlarmRollback(testStack(), 'Rollback', { maxEventAge }))
      .toThrow(new RegExp(`^\\[TestStack/Rollback\\] maxEventAge is ${words.replace('.', '\\.')}; EventBridge keeps retrying an event for 1 minute to 24 hours.*Duration\\.minutes\\(1\\) to Duration\\.hours\\(24\\)`));
  });

  it.each([Duration.minutes(1), Duration.hours(24)])('accepts a maxEventAge of %s, at the ends of EventBridge\'s range', (maxEventAge) => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { maxEventAge }).addTarget('Config', { alarms: [importedAlarm(stack, 'a')], target: appConfig() });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumEventAgeInSeconds: maxEventAge.toSeconds() }) })],
    });
  });

  it('reserves the handler\'s concurrency when asked', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { reservedConcurrency: 10 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10 });
  });

  it.each([0, -1, 2.5])('refuses a reservedConcurrency of %s, which is not a whole number of at least 1', (reservedConcurrency) => {
    expect(() => new AlarmRollback(testStack(), 'Rollback', { reservedConcurrency }))
      .toThrow(new RegExp(`^\\[TestStack/Rollback\\] reservedConcurrency is ${reservedConcurrency}; it must be a whole number of at least 1.*leave it out to reserve none`));
  });

  it('refuses an imported alarm whose ARN is not an alarm ARN', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const bad = cloudwatch.Alarm.fromAlarmArn(stack, 'Bad', 'arn:aws:sns:eu-west-1:111111111111:topic');
    expect(() => rollback.addTarget('Config', { alarms: [bad], target: appConfig() }))
      .toThrow(/\[TestStack\/Rollback\/Config\] alarm 0 has the ARN "arn:aws:sns:.*not a CloudWatch alarm ARN\. Import the alarm with its full ARN/);
  });

  it('refuses an alarm without an ARN', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const noArn = { alarmArn: '', alarmName: 'x', node: stack.node } as unknown as cloudwatch.IAlarm;
    expect(() => rollback.addTarget('Config', { alarms: [noArn], target: appConfig() }))
      .toThrow(/\[TestStack\/Rollback\/Config\] alarm 0 \(TestStack\) has no ARN.*fromAlarmArn/);
  });

  it.each([
    [Duration.hours(12), '12 hours'],
    [Duration.hours(36), '1 day 12 hours'],
    [Duration.days(0), '0 days'],
  ])('refuses a ledgerRetention of %s, which is not whole days >= 1', (ledgerRetention, words) => {
    expect(() => new AlarmRollback(testStack(), 'Rollback', { ledgerRetention }))
      .toThrow(new RegExp(`^\\[TestStack/Rollback\\] ledgerRetention is ${words}; records are kept for whole days, at least one\\. Use Duration\\.days\\(n\\)`));
  });

  it.each([-1, 186, 1.5])('refuses retryAttempts %s, outside 0..185', (retryAttempts) => {
    expect(() => new AlarmRollback(testStack(), 'Rollback', { retryAttempts }))
      .toThrow(new RegExp(`^\\[TestStack/Rollback\\] retryAttempts is ${retryAttempts}; EventBridge retries a target 0 to 185 times\\. Use a whole number from 0 to 185`));
  });

  it('accepts the 185 retries EventBridge allows', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { retryAttempts: 185 });
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'a')], target: appConfig() });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 185 }) })],
    });
  });
});

test('support helpers agree with the stack environment', () => {
  expect(testStack().region).toBe(REGION);
  expect(testStack().account).toBe(ACCOUNT);
});

describe('the target addTarget returns', () => {
  it('holds the target\'s rules, its name in the ledger and its outcome metric', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback');
    const target = rollback.addTarget('Checkout', {
      alarms: [importedAlarm(stack, 'errors')],
      target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
    });

    expect(target).toBeInstanceOf(AlarmRollbackTarget);
    expect(target.targetName).toBe('TestStack/Rollback/Checkout');
    // The alarm rule, then the rule on the environment's deployments starting.
    expect(target.rules).toHaveLength(2);
    expect(rollback.rules).toEqual(target.rules);
    expect(target.rules.every((rule) => rule.node.scope === target)).toBe(true);
    const metric = target.metricOutcome(RollbackOutcome.CANCEL_REQUESTED);
    expect(stack.resolve(metric.toMetricConfig())).toEqual(stack.resolve(rollback.metricTargetOutcome('Checkout', RollbackOutcome.CANCEL_REQUESTED).toMetricConfig()));
    expect(metric.dimensions).toEqual({ Rollback: 'TestStack/Rollback', Target: 'TestStack/Rollback/Checkout', Outcome: 'CANCEL_REQUESTED' });
  });

  it('refuses its outcome metric when it was not made by addTarget', () => {
    const stack = testStack();
    const stray = new AlarmRollbackTarget(stack, 'Stray');

    expect(stray.rules).toEqual([]);
    expect(() => stray.metricOutcome(RollbackOutcome.FAILED)).toThrow(/\[TestStack\/Stray\] this AlarmRollbackTarget was not made by AlarmRollback.addTarget/);
  });
});
