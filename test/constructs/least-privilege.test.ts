import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ACCOUNT, REGION, importedAlarm, metricAlarm, testStack } from './support';
import { AlarmRollback, RollbackTarget } from '../../src';
import { LEDGER_HANDLER_ACTIONS } from '../../src/private/ledger';

/** A DynamoDB item or table command sent by the handler. */
const DYNAMODB_COMMAND = /new (PutItem|UpdateItem|DeleteItem|GetItem|Query|Scan|BatchWriteItem|BatchGetItem|TransactWriteItems|TransactGetItems|DescribeTable)Command\b/g;

type Json = any;

/** Renders a template value to a comparable string: intrinsics become readable placeholders. */
function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (value?.Ref === 'AWS::Partition') return 'aws';
  if (value?.Ref === 'AWS::Region') return REGION;
  if (value?.Ref === 'AWS::AccountId') return ACCOUNT;
  if (value?.Ref) return `{ref:${value.Ref}}`;
  if (value?.['Fn::GetAtt']) return `{arn:${value['Fn::GetAtt'][0]}}`;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  throw new Error(`unexpected value in a policy: ${JSON.stringify(value)}`);
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every IAM policy in the template, with rendered resources. */
function statements(template: Template): Array<{ actions: string[]; resources: string[]; policy: string }> {
  const found: Array<{ actions: string[]; resources: string[]; policy: string }> = [];
  const documents: Array<[string, Json]> = [];
  // Managed policies too: CDK moves statements that outgrow the inline policy into them.
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, policy] of Object.entries(template.findResources(type))) {
      documents.push([id, policy.Properties.PolicyDocument]);
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) {
      documents.push([`${id}/${inline.PolicyName}`, inline.PolicyDocument]);
    }
  }
  for (const [policy, document] of documents) {
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      found.push({ policy, actions: list(statement.Action), resources: list(statement.Resource).map(render) });
    }
  }
  return found;
}

describe('least privilege', () => {
  const stack = testStack();
  const application = new appconfig.Application(stack, 'App');
  const environment = new appconfig.Environment(stack, 'Env', { application });
  const topic = new sns.Topic(stack, 'Topic');
  const rollback = new AlarmRollback(stack, 'Rollback', { notificationTopic: topic, alarmsForwardedElsewhere: true });
  rollback.addTarget('Created', { alarms: [metricAlarm(stack, 'Errors')], target: RollbackTarget.appConfig({ environment }) });
  rollback.addTarget('Imported', {
    alarms: [importedAlarm(stack, 'latency'), importedAlarm(stack, 'other-account', 'us-west-2', '222222222222')],
    target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
  });
  rollback.addTarget('Proton', { alarms: [importedAlarm(stack, 'env')], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });
  const template = Template.fromStack(stack);
  const logical = (type: string) => Object.keys(template.findResources(type));
  const [ledger] = logical('AWS::DynamoDB::Table');
  const [queue] = logical('AWS::SQS::Queue');
  const [createdApp] = logical('AWS::AppConfig::Application');
  const [createdEnv] = logical('AWS::AppConfig::Environment');
  const [topicId] = logical('AWS::SNS::Topic');
  const checkFunction = logical('AWS::Lambda::Function').find((id) => id.startsWith('RollbackAlarmState'));
  const appconfigArn = (app: string, env?: string, suffix = '') =>
    `arn:aws:appconfig:${REGION}:${ACCOUNT}:application/${app}${env ? `/environment/${env}` : ''}${suffix}`;

  /** What each action may touch: the library's own resources and the targets' own ARNs, nothing else. */
  const allowed: Record<string, string[]> = {
    'appconfig:StopDeployment': [
      // An environment created in the app has an ID of unknown length: the environment and its deployments.
      appconfigArn(`{ref:${createdApp}}`), appconfigArn(`{ref:${createdApp}}`, `{ref:${createdEnv}}`),
      appconfigArn(`{ref:${createdApp}}`, `{ref:${createdEnv}}`, '/deployment/*'),
      // A 7-character ID starts no other AppConfig ID, so one pattern covers exactly the environment and its deployments.
      appconfigArn('abc1234'), appconfigArn('abc1234', 'def5678', '*'),
    ],
    'proton:GetEnvironment': [`arn:aws:proton:${REGION}:${ACCOUNT}:environment/prod`],
    'dynamodb:PutItem': [`{arn:${ledger}}`],
    'sns:Publish': [`{ref:${topicId}}`],
    'sqs:SendMessage': [`{arn:${queue}}`],
    // The documented exception: DescribeAlarms returns composite alarms only to a caller allowed it on "*" (CloudWatch API reference).
    'cloudwatch:DescribeAlarms': ['*'],
    // ListAlarmMuteRules lists the account's mute rules; its API reference names no resource for it.
    'cloudwatch:ListAlarmMuteRules': ['*'],
    // AppConfig's invoke role: the alarm-state check and nothing else.
    'lambda:InvokeFunction': [`{arn:${checkFunction}}`],
  };
  // ListDeployments shares the statement: on a deployment ARN it grants nothing.
  allowed['appconfig:GetDeployment'] = allowed['appconfig:ListDeployments'] = allowed['appconfig:StopDeployment'];
  allowed['proton:CancelEnvironmentDeployment'] = allowed['proton:GetEnvironment'];
  for (const action of LEDGER_HANDLER_ACTIONS) allowed[action] = allowed['dynamodb:PutItem'];
  for (const action of ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) allowed[action] = allowed['sqs:SendMessage'];

  it('grants no wildcard action', () => {
    for (const statement of statements(template)) {
      expect(statement.actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  it('grants no wildcard resource, but for the deployments of one environment, whose numbers AppConfig assigns at deploy time, and DescribeAlarms', () => {
    for (const statement of statements(template)) {
      for (const resource of statement.resources) {
        const readsAlarms = statement.actions.every((action) => action === 'cloudwatch:DescribeAlarms' || action === 'cloudwatch:ListAlarmMuteRules');
        if (readsAlarms && resource === '*') continue;
        expect(resource).not.toBe('*');
        // Either `<environment>/deployment/*`, or a 7-character environment ID followed by `*`: no other ID starts with it.
        expect(resource.replace(/\/deployment\/\*$/, '').replace(/\/environment\/[a-z0-9]{7}\*$/, '/environment/<id>')).not.toContain('*');
      }
    }
  });

  it('grants every action only on the targets\' own ARNs and the library\'s own resources', () => {
    const granted = statements(template);
    expect(granted.length).toBeGreaterThan(0);
    for (const statement of granted) {
      for (const action of statement.actions) {
        expect(allowed[action]).toBeDefined();
        for (const resource of statement.resources) {
          expect({ action, resource, allowed: allowed[action].includes(resource) }).toEqual({ action, resource, allowed: true });
        }
      }
    }
  });

  it('grants the ledger writes only: no query, scan or table management', () => {
    const dynamoActions = statements(template).flatMap((statement) => statement.actions).filter((action) => action.startsWith('dynamodb:'));
    expect(new Set(dynamoActions)).toEqual(new Set(LEDGER_HANDLER_ACTIONS));
  });

  it('grants exactly the DynamoDB calls the handler\'s source makes', () => {
    const called = new Set<string>();
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          visit(path);
        } else if (entry.name.endsWith('.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(DYNAMODB_COMMAND)) called.add(`dynamodb:${match[1]}`);
        }
      }
    };
    visit(join(__dirname, '..', '..', 'lambda'));
    expect([...called].sort()).toEqual([...LEDGER_HANDLER_ACTIONS].sort());
  });

  it('attaches no AWS managed policy but the basic execution role that writes the logs, one per function', () => {
    const managed = Object.values(template.findResources('AWS::IAM::Role'))
      .flatMap((role: Json) => role.Properties.ManagedPolicyArns ?? []).map(render);
    expect(managed).toEqual(Array(2).fill('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'));
  });

  it('lets only AppConfig assume the extension\'s invoke role, and adds no resource-based permission for AppConfig', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
    const invoke = roles.filter((role) => role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'appconfig.amazonaws.com');
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [checkFunction, 'Arn'] } },
    ]);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Json[];
    expect(permissions.map((permission) => permission.Properties.Principal)).toEqual(['events.amazonaws.com']);
  });
});

describe('many targets', () => {
  const stack = testStack();
  const rollback = new AlarmRollback(stack, 'Rollback');
  for (let i = 0; i < 200; i++) {
    rollback.addTarget(`T${i}`, {
      alarms: [importedAlarm(stack, `a${i}`)],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: `e${String(i).padStart(6, '0')}` }),
    });
  }
  const template = Template.fromStack(stack);
  const appconfigStatements = statements(template).filter((statement) => statement.actions.includes('appconfig:StopDeployment'));
  const resources = appconfigStatements.flatMap((statement) => statement.resources);

  it('grants each of 200 targets its environment and its deployments, and nothing else', () => {
    const expected = Array.from({ length: 200 }, (_, i) => `e${String(i).padStart(6, '0')}`)
      .map((env) => `application/abc1234/environment/${env}*`)
      .map((resource) => `arn:aws:appconfig:${REGION}:${ACCOUNT}:${resource}`);
    expect(resources.filter((arn) => !arn.endsWith(':application/abc1234')).sort()).toEqual(expected.sort());
  });

  it('lists a shared application once per policy that holds its targets', () => {
    const policies = new Set(appconfigStatements.map((statement) => statement.policy));
    expect(resources.filter((arn) => arn.endsWith(':application/abc1234'))).toHaveLength(policies.size);
    expect(appconfigStatements).toHaveLength(policies.size);
  });

  it('attaches the overflow as customer managed policies of target grants, at most 9 beside the basic execution role', () => {
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as Json[];
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.length).toBeLessThanOrEqual(9);
    for (const policy of managed) {
      expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^RollbackHandlerServiceRole/) }]);
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement.Action).toEqual(['appconfig:ListDeployments', 'appconfig:GetDeployment', 'appconfig:StopDeployment']);
      }
    }
  });
});
