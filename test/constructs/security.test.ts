import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
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
