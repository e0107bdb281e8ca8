import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ACCOUNT, REGION, alarmArn, importedAlarm, metricAlarm, testStack } from './support';
import { AlarmEventForwarder, AlarmRollback, RollbackTarget } from '../../src';

type Json = any;

const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rollbacks`;
const MONITORING = '222222222222';

/** A template value with the pseudo parameters of the test stacks written out. */
function render(value: Json, account = ACCOUNT): string {
  if (typeof value === 'string') return value;
  if (value?.Ref === 'AWS::Partition') return 'aws';
  if (value?.Ref === 'AWS::Region') return REGION;
  if (value?.Ref === 'AWS::AccountId') return account;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map((part: Json) => render(part, account)).join(value['Fn::Join'][0]);
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** IAM's ArnLike: `*` matches any run of characters, `?` any one. */
function arnLike(pattern: string, arn: string): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`).test(arn);
}

/** Each role's one trust statement, by logical ID. */
function trust(template: Template): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    found.set(id, statements[0]);
  }
  return found;
}

/** The ARN a rule has once deployed: `rule/<name>` on the default bus, `rule/<bus>/<name>` on a custom one. */
function ruleArn(rule: Json, account: string): string {
  const bus = rule.Properties.EventBusName;
  return `arn:aws:events:${REGION}:${account}:rule/${bus ? `${bus}/` : ''}${rule.Properties.Name}`;
}

/**
 * Every rule whose target uses a role must be admitted by that role's trust
 * policy, and nothing beyond this account's rules with the library's prefix:
 * a condition the rule does not meet would stop forwarding, one too wide
 * would let another rule use the role.
 */
function expectRolesAdmitExactlyTheirRules(stack: Stack, account: string, prefix: string): number {
  const template = Template.fromStack(stack);
  const trusts = trust(template);
  let checked = 0;
  for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
    for (const target of rule.Properties.Targets) {
      if (!target.RoleArn) continue;
      const statement = trusts.get(target.RoleArn['Fn::GetAtt'][0]);
      expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': account });
      const pattern = render(statement.Condition.ArnLike['aws:SourceArn'], account);
      expect(pattern).toBe(`arn:aws:events:${REGION}:${account}:rule/${prefix}*`);
      expect(arnLike(pattern, ruleArn(rule, account))).toBe(true);
      expect(arnLike(pattern, `arn:aws:events:${REGION}:${account}:rule/someone-elses-rule`)).toBe(false);
      expect(arnLike(pattern, `arn:aws:events:${REGION}:333333333333:rule/${prefix}alarms-1`)).toBe(false);
      checked++;
    }
  }
  return checked;
}

describe('service role trust', () => {
  it('lets EventBridge assume the forwarding role of an AlarmRollback on a custom bus only for its own rules in this account', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN) });
    rollback.addTarget('Checkout', {
      alarms: [importedAlarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });

    expect(expectRolesAdmitExactlyTheirRules(stack, ACCOUNT, rollback.ruleNamePrefix)).toBe(2);
  });

  it('lets EventBridge assume an AlarmEventForwarder\'s role only for that forwarder\'s rules in its account', () => {
    const stack = new Stack(new App(), 'Monitoring', { env: { account: MONITORING, region: REGION } });
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN),
      alarms: [cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', alarmArn('errors', REGION, MONITORING))],
      alarmTags: { rollback: 'checkout' },
    });
    const name = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const prefix = (Object.values(name)[0] as Json).Properties.Name.replace(/alarms-1$/, '');

    expect(forwarder.rules).toHaveLength(2);
    expect(expectRolesAdmitExactlyTheirRules(stack, MONITORING, prefix)).toBe(2);
  });

  it('puts no condition on the Lambda execution roles or AppConfig\'s invoke role, whose services document none', () => {
    const stack = testStack();
    const application = new appconfig.Application(stack, 'App');
    const environment = new appconfig.Environment(stack, 'Env', { application });
    new AlarmRollback(stack, 'Rollback').addTarget('Config', {
      alarms: [metricAlarm(stack, 'Errors')],
      target: RollbackTarget.appConfig({ environment, blockDeploymentsWhileAlarming: true }),
    });

    const statements = [...trust(Template.fromStack(stack)).values()];
    expect(statements.map((statement) => statement.Principal.Service).sort())
      .toEqual(['appconfig.amazonaws.com', 'lambda.amazonaws.com', 'lambda.amazonaws.com']);
    for (const statement of statements) {
      expect(statement).toEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: statement.Principal });
    }
  });
});

describe('customer managed key', () => {
  function encryptedRollback(props: { key?: kms.IKey; ledger?: dynamodb.ITable } = {}) {
    const stack = testStack();
    const key = props.key ?? new kms.Key(stack, 'Key');
    const rollback = new AlarmRollback(stack, 'Rollback', { encryptionKey: key, ledger: props.ledger });
    rollback.addTarget('Config', {
      alarms: [importedAlarm(stack, 'errors')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    return { stack, key, rollback, template: Template.fromStack(stack) };
  }

  const keyArn = (stack: Stack, key: kms.IKey) => stack.resolve(key.keyArn);

  it('encrypts the ledger, the dead-letter queue, both log groups and both functions\' environments with it', () => {
    const { stack, key, template } = encryptedRollback();

    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn(stack, key) },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn(stack, key) });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: Match.absent() });
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) expect(logGroup.Properties.KmsKeyId).toEqual(keyArn(stack, key));
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn.Properties.KmsKeyArn).toEqual(keyArn(stack, key));
  });

  it('lets each function decrypt its environment, and the handler also encrypt for the dead-letter queue, and no more', () => {
    // A ledger without a key, so that every KMS grant comes from the environment or the queue.
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    const ledger = dynamodb.Table.fromTableName(stack, 'Ledger', 'existing-ledger');
    new AlarmRollback(stack, 'Rollback', { encryptionKey: key, ledger });
    const template = Template.fromStack(stack);
    const kmsActions = (rolePrefix: string): string[] => Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((role: Json) => role.Ref.startsWith(rolePrefix)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: Json) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')))
      .flatMap((statement: Json) => {
        expect(statement.Resource).toEqual(stack.resolve(key.keyArn));
        return [statement.Action].flat();
      });

    expect(kmsActions('RollbackAlarmStateServiceRole')).toEqual(['kms:Decrypt']);
    // The on-failure destination sends as the function's role (aws-cdk-lib's SqsDestination grants sqs:SendMessage with the queue key's use).
    expect(new Set(kmsActions('RollbackHandlerServiceRole'))).toEqual(new Set(['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']));
  });

  it('gives a key of this app the statements CloudWatch Logs and EventBridge need, and no dependency cycle', () => {
    // Template.fromStack refuses a template whose resources depend on one another in a cycle.
    const { template } = encryptedRollback();
    const [keyResource] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = keyResource.Properties.KeyPolicy.Statement;

    const logsStatement = statements.find((statement: Json) => statement.Principal?.Service === `logs.${REGION}.amazonaws.com`);
    expect(logsStatement).toEqual({
      Effect: 'Allow',
      Principal: { Service: `logs.${REGION}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    });
    const context = render(logsStatement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']);
    expect(context).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*`);
    expect(arnLike(context, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:TestStack-RollbackHandlerLogs-AbC123`)).toBe(true);
    expect(arnLike(context, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:x`)).toBe(false);

    const eventsStatements = statements.filter((statement: Json) => statement.Principal?.Service === 'events.amazonaws.com');
    expect(eventsStatements).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
    }]);
  });

  it('still admits only its own rules to the encrypted dead-letter queue', () => {
    const { rollback, template } = encryptedRollback();
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const fromEvents = policy.Properties.PolicyDocument.Statement.filter((statement: Json) => statement.Principal?.Service === 'events.amazonaws.com');
    expect(fromEvents).toHaveLength(1);
    expect(render(fromEvents[0].Condition.ArnLike['aws:SourceArn'])).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${rollback.ruleNamePrefix}*`);
  });

  it('warns with the statements to add when the key is imported, whose policy cannot be changed here', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    const rollback = new AlarmRollback(stack, 'Rollback', { encryptionKey: key });
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }) });

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('encryptionKeyPolicy'));
    const texts = warnings.map((warning) => String(warning.entry.data));
    expect(texts).toHaveLength(2);
    expect(texts.find((text) => text.includes(`logs.${REGION}.amazonaws.com`))).toMatch(/log groups cannot be created/);
    expect(texts.find((text) => text.includes('"Service":"events.amazonaws.com"'))).toMatch(/kms:GenerateDataKey.*kms:Decrypt.*dead-letter queue/);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { KmsKeyArn: key.keyArn });
  });

  it('leaves a ledger you bring as it is, and says so', () => {
    const stack = testStack();
    const ledger = dynamodb.Table.fromTableName(stack, 'Ledger', 'existing-ledger');
    const rollback = new AlarmRollback(stack, 'Rollback', { encryptionKey: new kms.Key(stack, 'Key'), ledger });

    expect(rollback.ledger).toBe(ledger);
    Template.fromStack(stack).resourceCountIs('AWS::DynamoDB::Table', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback', Match.stringLikeRegexp('encryptionKey encrypts the ledger table only when AlarmRollback creates it'));
  });

  it('keeps AWS-managed and AWS-owned keys without it', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback');
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, KmsMasterKeyId: Match.absent() });
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(logGroup.Properties.KmsKeyId).toBeUndefined();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) expect(fn.Properties.KmsKeyArn).toBeUndefined();
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('encrypts an AlarmEventForwarder\'s dead-letter queue and lets EventBridge use the key', () => {
    const stack = new Stack(new App(), 'Monitoring', { env: { account: MONITORING, region: REGION } });
    const key = new kms.Key(stack, 'Key');
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN),
      alarms: [cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', alarmArn('errors', REGION, MONITORING))],
      encryptionKey: key,
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: stack.resolve(key.keyArn) });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' }]) },
    });
  });
});

describe('log groups', () => {
  it('keeps both log groups when they leave the stack by default', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback');
    const logGroups = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));

    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) {
      expect(logGroup.DeletionPolicy).toBe('Retain');
      expect(logGroup.UpdateReplacePolicy).toBe('Retain');
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
  });

  it('applies logRemovalPolicy and logRetention to both log groups', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { logRemovalPolicy: RemovalPolicy.DESTROY, logRetention: logs.RetentionDays.ONE_MONTH });
    const logGroups = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));

    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    }
  });
});
