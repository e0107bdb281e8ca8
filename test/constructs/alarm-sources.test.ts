import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as fc from 'fast-check';
import { ACCOUNT, REGION, importedAlarm, metricAlarm, testStack } from './support';
import { AlarmRollback, AlarmRollbackProps, AlarmSource, RollbackTarget } from '../../src';
import { Rules } from '../../src/contract';

const APPCONFIG = RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' });
const MONITORING = '222222222222';
const OTHER = '333333333333';
const ORGANIZATION = 'o-a1b2c3d4e5';
const ALL_SOURCES = { 'events:source': 'aws.cloudwatch' };
const DETAIL_TYPE = { 'events:detail-type': 'CloudWatch Alarm State Change' };
const DEFAULT_BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:event-bus/default`]] };

function root(account: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] };
}

function rollback(stack: Stack, props: AlarmRollbackProps): AlarmRollback {
  return new AlarmRollback(stack, 'Rollback', { alarmStateChecks: false, ...props });
}

function busPolicies(stack: Stack): Array<Record<string, any>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy')).map((policy) => policy.Properties);
}

describe('AlarmRollback bus policy', () => {
  it('lets the declared accounts put alarm state-change events on the default bus, in one statement', () => {
    const stack = testStack();
    const created = rollback(stack, { alarmSources: [AlarmSource.account(MONITORING), AlarmSource.account(OTHER, { regions: ['us-east-1'] })] });

    expect(busPolicies(stack)).toEqual([{
      EventBusName: 'default',
      StatementId: `${created.ruleNamePrefix}Accounts`,
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: [root(MONITORING), root(OTHER)] },
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: { 'ForAllValues:StringEquals': ALL_SOURCES, 'StringEquals': DETAIL_TYPE },
      },
    }]);
  });

  it('lets every account of an organization put alarm events, with aws:PrincipalOrgID', () => {
    const stack = testStack();
    const created = rollback(stack, { alarmSources: [AlarmSource.organization(ORGANIZATION, { regions: [REGION, 'us-east-1'] })] });

    expect(busPolicies(stack)).toEqual([{
      EventBusName: 'default',
      StatementId: `${created.ruleNamePrefix}${ORGANIZATION}`,
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: { 'ForAllValues:StringEquals': ALL_SOURCES, 'StringEquals': { ...DETAIL_TYPE, 'aws:PrincipalOrgID': ORGANIZATION } },
      },
    }]);
  });

  it('writes the policy on the custom bus, with its ARN as the resource', () => {
    const stack = testStack();
    const busArn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rollbacks`;
    rollback(stack, {
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', busArn),
      alarmSources: [AlarmSource.account(MONITORING), AlarmSource.organization(ORGANIZATION)],
    });

    const policies = busPolicies(stack);
    expect(policies.map((policy) => [policy.EventBusName, policy.Statement.Resource])).toEqual([['rollbacks', busArn], ['rollbacks', busArn]]);
  });

  it('writes no statement for the stack\'s own account, declared for its other Regions', () => {
    const stack = testStack();
    const created = rollback(stack, { alarmSources: [AlarmSource.account(ACCOUNT, { regions: ['us-east-1'] })] });
    created.addTarget('Config', { alarms: [importedAlarm(stack, 'east', 'us-east-1')], target: APPCONFIG });

    Template.fromStack(stack).resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('leaves the own account out of the accounts statement', () => {
    const stack = testStack();
    rollback(stack, { alarmSources: [AlarmSource.account(ACCOUNT, { regions: ['us-east-1'] }), AlarmSource.account(MONITORING)] });

    expect(busPolicies(stack).map((policy) => policy.Statement.Principal)).toEqual([{ AWS: [root(MONITORING)] }]);
  });

  it('gives two AlarmRollbacks on one bus statement IDs of their own', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'One', { alarmSources: [AlarmSource.account(MONITORING)], alarmStateChecks: false });
    new AlarmRollback(stack, 'Two', { alarmSources: [AlarmSource.account(MONITORING)], alarmStateChecks: false });

    const ids = busPolicies(stack).map((policy) => policy.StatementId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
  });

  it('writes no bus policy without alarmSources', () => {
    const stack = testStack();
    rollback(stack, {}).addTarget('Config', { alarms: [metricAlarm(stack, 'Errors')], target: APPCONFIG });

    Template.fromStack(stack).resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('refuses accounts whose statements outgrow the event bus policy size quota, with the figure and the fix', () => {
    const stack = testStack();
    const accounts = Array.from({ length: 260 }, (_, index) => AlarmSource.account(String(300000000000 + index)));
    expect(() => rollback(stack, { alarmSources: accounts }))
      .toThrow(/^\[TestStack\/Rollback\] the policy of the default event bus would have \d+ characters .*EventBridge allows 10240 per bus policy by default\. Declare the accounts of one organization with AlarmSource\.organization/);
  });

  it('counts the policy statements of every AlarmRollback on the bus against its size quota', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: REGION };
    const accounts = Array.from({ length: 130 }, (_, index) => AlarmSource.account(String(300000000000 + index)));
    new AlarmRollback(new Stack(app, 'First', { env }), 'Rollback', { alarmSources: accounts, alarmStateChecks: false });
    expect(() => new AlarmRollback(new Stack(app, 'Second', { env }), 'Rollback', { alarmSources: accounts, alarmStateChecks: false }))
      .toThrow(/from this AlarmRollback's alarmSources, \d+ from other AlarmRollbacks on the bus/);
  });
});

describe('AlarmRollback alarm locations', () => {
  it('refuses an alarm of an undeclared account, naming the path, the alarm, where it is and the exact fix', () => {
    const stack = testStack();
    const created = rollback(stack, {});
    expect(() => created.addTarget('Config', { alarms: [importedAlarm(stack, 'remote', REGION, MONITORING)], target: APPCONFIG }))
      .toThrow(new RegExp('^\\[TestStack/Rollback/Config\\] alarm arn:aws:cloudwatch:eu-west-1:222222222222:alarm:remote is in account 222222222222, Region eu-west-1, '
        + 'but no alarmSources entry covers that account and Region.*\\. '
        + 'Add alarmSources: \\[AlarmSource\\.account\\(\'222222222222\', \\{ regions: \\[\'eu-west-1\'\\] \\}\\)\\] to the AlarmRollback '
        + 'and deploy an AlarmEventForwarder in account 222222222222, Region eu-west-1'));
  });

  it('refuses an alarm of the own account in another Region until that Region is declared', () => {
    const stack = testStack();
    const created = rollback(stack, {});
    expect(() => created.addTarget('Config', { alarms: [importedAlarm(stack, 'east', 'us-east-1')], target: APPCONFIG }))
      .toThrow(/alarm arn:aws:cloudwatch:us-east-1:111111111111:alarm:east is in account 111111111111, Region us-east-1.*AlarmSource\.account\('111111111111', \{ regions: \['us-east-1'\] \}\)/);
  });

  it('refuses an alarm created in a stack of another Region, shared through crossRegionReferences, naming its path', () => {
    const app = new App();
    const east = new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const alarm = metricAlarm(east, 'EastErrors');
    const stack = new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION }, crossRegionReferences: true });
    const created = rollback(stack, {});
    expect(() => created.addTarget('Config', { alarms: [alarm], target: APPCONFIG }))
      .toThrow(/^\[TestStack\/Rollback\/Config\] alarm East\/EastErrors is in account 111111111111, Region us-east-1, but no alarmSources entry covers/);
    expect(() => rollback(new Stack(app, 'Declared', { env: { account: ACCOUNT, region: REGION }, crossRegionReferences: true }),
      { alarmSources: [AlarmSource.account(ACCOUNT, { regions: ['us-east-1'] })] }).addTarget('Config', { alarms: [alarm], target: APPCONFIG })).not.toThrow();
  });

  it('refuses an alarm of a declared account in a Region the source does not list', () => {
    const stack = testStack();
    const created = rollback(stack, { alarmSources: [AlarmSource.account(MONITORING)] });
    expect(() => created.addTarget('Config', { alarms: [importedAlarm(stack, 'east', 'us-east-1', MONITORING)], target: APPCONFIG }))
      .toThrow(/is in account 222222222222, Region us-east-1, but no alarmSources entry covers/);
  });

  it('counts the other undeclared alarms of the target in the message', () => {
    const stack = testStack();
    const created = rollback(stack, {});
    expect(() => created.addTarget('Config', {
      alarms: [importedAlarm(stack, 'a', REGION, MONITORING), importedAlarm(stack, 'b', REGION, OTHER), importedAlarm(stack, 'c', 'us-east-1')],
      target: APPCONFIG,
    })).toThrow(/alarm:a is in account 222222222222, Region eu-west-1 \(and 2 more alarm\(s\) of this target outside this stack's account and Region\)/);
  });

  it('accepts alarms covered by an account source (its Regions) or an organization source', () => {
    const stack = testStack();
    const created = rollback(stack, {
      alarmSources: [AlarmSource.account(MONITORING, { regions: ['us-east-1', REGION] }), AlarmSource.organization(ORGANIZATION, { regions: ['ap-southeast-2'] })],
    });
    expect(() => created.addTarget('Config', {
      alarms: [
        importedAlarm(stack, 'here', REGION, MONITORING),
        importedAlarm(stack, 'east', 'us-east-1', MONITORING),
        importedAlarm(stack, 'sydney', 'ap-southeast-2', OTHER),
        metricAlarm(stack, 'Own'),
      ],
      target: APPCONFIG,
    })).not.toThrow();
  });

  it('warns instead with alarmsForwardedElsewhere: true, and still creates the rule', () => {
    const stack = testStack();
    const created = rollback(stack, { alarmsForwardedElsewhere: true });
    created.addTarget('Config', { alarms: [importedAlarm(stack, 'remote', REGION, MONITORING)], target: APPCONFIG });

    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback/Config',
      Match.stringLikeRegexp('alarm arn:aws:cloudwatch:eu-west-1:222222222222:alarm:remote is in account 222222222222.*alarmsForwardedElsewhere is true.*\\[ack: cdk-alarm-rollback:alarmSourceUndeclared\\]'));
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 1);
  });

  it('does not check alarms when the stack\'s account and Region are unknown', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const created = rollback(stack, {});
    expect(() => created.addTarget('Config', { alarms: [importedAlarm(stack, 'remote', REGION, MONITORING)], target: APPCONFIG })).not.toThrow();
  });
});

describe('AlarmSource validation', () => {
  const cases: Array<[string, () => AlarmSource, RegExp]> = [
    ['an account ID that is not 12 digits', () => AlarmSource.account('2222-2222-2222'),
      /alarmSources\[0\] \(AlarmSource\.account\) is given "2222-2222-2222", which is not an AWS account ID: 12 digits, such as "111122223333"\. Pass the 12-digit account ID \(without dashes\)/],
    ['an organization ID given as an account', () => AlarmSource.account(ORGANIZATION), /is given "o-a1b2c3d4e5", which is not an AWS account ID.*use AlarmSource\.organization/],
    ['an organization ID without o-', () => AlarmSource.organization('a1b2c3d4e5'),
      /alarmSources\[0\] \(AlarmSource\.organization\) is given "a1b2c3d4e5", which is not an AWS organization ID: "o-" and 10 to 32 lowercase letters or digits/],
    ['an account ID that is a token', () => AlarmSource.account(Stack.of(new Stack()).account), /is given a token; the bus policy and the check of alarm locations need the literal ID/],
    ['an empty list of Regions', () => AlarmSource.account(MONITORING, { regions: [] }),
      /alarmSources\[0\] \(AlarmSource\.account\('222222222222'\)\) has regions \[\], so no alarm of it would be covered\. List at least one Region/],
    ['a Region that is not a Region code', () => AlarmSource.account(MONITORING, { regions: ['eu-west1'] }),
      /lists the Region "eu-west1", which is not a literal Region code\. Use Region codes such as 'eu-west-1'/],
    ['a Region listed twice', () => AlarmSource.organization(ORGANIZATION, { regions: ['us-east-1', 'us-east-1'] }), /lists the Region us-east-1 twice/],
  ];
  it.each(cases)('refuses %s, naming the value and the fix', (_, source, message) => {
    const stack = testStack();
    expect(() => rollback(stack, { alarmSources: [source()] })).toThrow(message);
    expect(() => rollback(testStack(), { alarmSources: [source()] })).toThrow(/^\[TestStack\/Rollback\] alarmSources\[0\]/);
  });

  it('accepts exactly the account and organization IDs the contract accepts, and names the value otherwise', () => {
    const id = fc.oneof(
      fc.stringMatching(/^\d{10,14}$/),
      fc.stringMatching(/^o-[a-z0-9]{8,34}$/),
      fc.stringMatching(/^O-[A-Za-z0-9]{10}$/),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(fc.property(id, fc.boolean(), (value, asAccount) => {
      const rule = asAccount ? Rules.ACCOUNT_ID : Rules.ORGANIZATION_ID;
      const source = asAccount ? AlarmSource.account(value) : AlarmSource.organization(value);
      let message: string | undefined;
      try {
        rollback(testStack(), { alarmSources: [source] });
      } catch (error) {
        message = (error as Error).message;
      }
      if (rule.test(value)) {
        expect(message).toBeUndefined();
      } else {
        expect(message).toMatch(/^\[TestStack\/Rollback\] alarmSources\[0\] \(AlarmSource\.(account|organization)\) is given .+\. .+/s);
      }
    }), { numRuns: 200 });
  });

  it('refuses an account declared twice, pointing at both entries', () => {
    const stack = testStack();
    expect(() => rollback(stack, { alarmSources: [AlarmSource.account(MONITORING), AlarmSource.account(MONITORING, { regions: ['us-east-1'] })] }))
      .toThrow(/alarmSources\[1\] declares the account 222222222222 again \(alarmSources\[0\] already does\)\. Declare each account once and list all its Regions/);
  });

  it('refuses something that is not an AlarmSource', () => {
    const stack = testStack();
    expect(() => rollback(stack, { alarmSources: [{ accountId: MONITORING } as unknown as AlarmSource] }))
      .toThrow(/alarmSources\[0\] is not an AlarmSource\. Create each source with AlarmSource\.account/);
  });
});
