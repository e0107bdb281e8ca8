import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ACCOUNT, REGION, alarmArn, importedAlarm, metricAlarm, testStack } from './support';
import { buildMultiAccountApp } from '../../examples/readme-multi-account';
import { AlarmEventForwarder, AlarmRollback, AlarmSource, RollbackTarget, TriggerOn } from '../../src';

const APPCONFIG = RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' });
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rollbacks`;

function rollbackOnBus(stack: Stack, bus: events.IEventBus = events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN)): AlarmRollback {
  return new AlarmRollback(stack, 'Rollback', { eventBus: bus, alarmStateChecks: false });
}

function rules(stack: Stack): Array<Record<string, any>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((rule) => rule.Properties);
}

describe('AlarmRollback on a custom event bus', () => {
  it('puts the alarm rules on the custom bus', () => {
    const stack = testStack();
    rollbackOnBus(stack).addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: APPCONFIG });

    const rollbackRules = rules(stack).filter((rule) => rule.Targets.some((target: any) => target.InputTransformer));
    expect(rollbackRules).toHaveLength(1);
    expect(rollbackRules[0].EventBusName).toBe('rollbacks');
    expect(rollbackRules[0].EventPattern.resources).toEqual([alarmArn('errors')]);
  });

  it('allows the handler to be invoked by rules named with the prefix on the custom bus: rule/<bus>/<prefix>*', () => {
    const stack = testStack();
    const rollback = rollbackOnBus(stack);
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: APPCONFIG });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/rollbacks/${rollback.ruleNamePrefix}*`]] },
    });
  });

  it('keeps the default-bus form of the permission, rule/<prefix>*, without eventBus', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { alarmStateChecks: false });
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: APPCONFIG });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Permission', {
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/${rollback.ruleNamePrefix}*`]] },
    });
    expect(rules(stack)[0].EventBusName).toBeUndefined();
  });

  it('treats a bus named default as the default bus: no EventBusName, no forwarding', () => {
    const stack = testStack();
    const rollback = rollbackOnBus(stack, events.EventBus.fromEventBusName(stack, 'Default', 'default'));
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: APPCONFIG });

    expect(rules(stack)).toHaveLength(1);
    expect(rules(stack)[0].EventBusName).toBeUndefined();
  });

  it('forwards the stack\'s own alarms from the default bus to the custom bus with a role and the dead-letter queue', () => {
    const stack = testStack();
    const own = metricAlarm(stack, 'Latency');
    const rollback = rollbackOnBus(stack);
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors'), own], target: APPCONFIG });

    const forwarding = rules(stack).filter((rule) => rule.EventBusName === undefined);
    expect(forwarding).toHaveLength(1);
    expect(forwarding[0].Name).toMatch(new RegExp(`^${rollback.ruleNamePrefix}f[0-9a-f]{8}-alarms-1$`));
    expect(forwarding[0].EventPattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'resources': [alarmArn('errors'), { 'Fn::GetAtt': [expect.stringMatching(/^Latency/), 'Arn'] }],
      'detail': { state: { value: ['ALARM'] } },
    });
    expect(forwarding[0].Targets).toEqual([{
      Arn: BUS_ARN,
      Id: expect.any(String),
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^RollbackForwardingRole/), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^RollbackDeadLetterQueue/), 'Arn'] } },
    }]);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RollbackForwardingRole') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }] },
    });
  });

  it('forwards an alarm that several targets watch once, and later only in the states not yet forwarded', () => {
    const stack = testStack();
    const rollback = rollbackOnBus(stack);
    const shared = importedAlarm(stack, 'shared');
    const own = importedAlarm(stack, 'own');
    rollback.addTarget('First', { alarms: [shared], target: APPCONFIG });
    rollback.addTarget('Second', { alarms: [shared, own], target: APPCONFIG });
    rollback.addTarget('Third', { alarms: [shared], target: APPCONFIG, triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA });
    rollback.addTarget('Fourth', { alarms: [own, importedAlarm(stack, 'new')], target: APPCONFIG, triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA });

    const forwarding = rules(stack).filter((rule) => rule.EventBusName === undefined);
    expect(forwarding.map((rule) => [rule.EventPattern.resources, rule.EventPattern.detail.state.value])).toEqual([
      [[alarmArn('shared')], ['ALARM']],
      [[alarmArn('own')], ['ALARM']],
      [[alarmArn('shared')], ['INSUFFICIENT_DATA']],
      [[alarmArn('own')], ['INSUFFICIENT_DATA']],
      [[alarmArn('new')], ['ALARM', 'INSUFFICIENT_DATA']],
    ]);
    expect(new Set(forwarding.map((rule) => rule.Name)).size).toBe(5);
  });

  it('forwards a tag-routed target\'s events to the custom bus by its tags, and matches them there', () => {
    const stack = testStack();
    rollbackOnBus(stack).addTarget('Checkout', { alarmTags: { rollback: 'checkout' }, target: APPCONFIG });

    const byBus = rules(stack).map((rule) => [rule.EventBusName, rule.EventPattern.detail]);
    expect(byBus).toEqual([
      ['rollbacks', { alarmTags: { rollback: ['checkout'] }, state: { value: ['ALARM'] } }],
      [undefined, { alarmTags: { rollback: ['checkout'] }, state: { value: ['ALARM'] } }],
    ]);
  });

  it('lets the forwarding rules of all targets dead-letter through one queue statement', () => {
    const stack = testStack();
    const rollback = rollbackOnBus(stack);
    for (let index = 0; index < 25; index++) {
      rollback.addTarget(`Config${index}`, { alarms: [importedAlarm(stack, `alarm${index}`)], target: APPCONFIG });
    }

    const policies = Object.values(Template.fromStack(stack).findResources('AWS::SQS::QueuePolicy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const fromRules = statements.filter((statement: any) => statement.Principal?.Service === 'events.amazonaws.com');
    expect(fromRules.map((statement: any) => statement.Condition.ArnLike['aws:SourceArn'])).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/rollbacks/${rollback.ruleNamePrefix}*`]] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/${rollback.ruleNamePrefix}*`]] },
    ]);
    expect(rules(stack).filter((rule) => rule.EventBusName === undefined)).toHaveLength(25);
  });

  it('forwards nothing for alarms of declared sources elsewhere: their own forwarder sends them to the bus', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', {
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN),
      alarmSources: [AlarmSource.account('222222222222')],
      alarmStateChecks: false,
    });
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'remote', REGION, '222222222222')], target: APPCONFIG });

    expect(rules(stack).map((rule) => rule.EventBusName)).toEqual(['rollbacks']);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 1);
  });

  it('puts rules on a bus created in the same stack, naming it by reference', () => {
    const stack = testStack();
    const bus = new events.EventBus(stack, 'RollbackBus', { eventBusName: 'rollbacks' });
    rollbackOnBus(stack, bus).addTarget('Config', { alarms: [importedAlarm(stack, 'errors')], target: APPCONFIG });

    const onBus = rules(stack).filter((rule) => rule.EventBusName !== undefined);
    expect(onBus).toHaveLength(1);
    expect(onBus[0].EventBusName).toEqual({ Ref: expect.stringMatching(/^RollbackBus/) });
  });

  it('keeps a Proton target\'s start rule on the default bus, where AWS service events arrive, with a permission of its own', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN) });
    rollback.addTarget('Env', { alarms: [importedAlarm(stack, 'health')], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });

    const byBus = rules(stack).map((rule) => [rule.EventBusName, rule.EventPattern.source[0]]);
    expect(byBus).toEqual(expect.arrayContaining([['rollbacks', 'aws.cloudwatch'], [undefined, 'aws.proton'], [undefined, 'aws.cloudwatch']]));
    expect(byBus).toHaveLength(3);
    const permissions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission'))
      .map((permission) => permission.Properties)
      .filter((permission) => permission.Principal === 'events.amazonaws.com')
      .map((permission) => permission.SourceArn['Fn::Join'][1][2]);
    expect(permissions).toEqual([
      `:events:${REGION}:${ACCOUNT}:rule/rollbacks/${rollback.ruleNamePrefix}*`,
      `:events:${REGION}:${ACCOUNT}:rule/${rollback.ruleNamePrefix}*`,
    ]);
  });

  it('synthesizes with a monitoring account\'s forwarder that sends a declared alarm to the custom bus', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: ACCOUNT, region: REGION } });
    const bus = new events.EventBus(workload, 'RollbackBus', { eventBusName: 'rollbacks' });
    const rollback = new AlarmRollback(workload, 'Rollback', { eventBus: bus, alarmSources: [AlarmSource.account('222222222222')] });
    rollback.addTarget('Checkout', {
      alarms: [cloudwatch.Alarm.fromAlarmArn(workload, 'Remote', alarmArn('errors', REGION, '222222222222'))],
      target: APPCONFIG,
    });
    const monitoring = new Stack(app, 'Monitoring', { env: { account: '222222222222', region: REGION } });
    new AlarmEventForwarder(monitoring, 'Forwarder', {
      eventBus: events.EventBus.fromEventBusArn(monitoring, 'RollbackBus', BUS_ARN),
      alarms: [cloudwatch.Alarm.fromAlarmArn(monitoring, 'Errors', alarmArn('errors', REGION, '222222222222'))],
    });

    expect(() => app.synth()).not.toThrow();
    Template.fromStack(workload).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: Match.stringLikeRegexp('^RollbackBus') },
      Statement: Match.objectLike({ Principal: { AWS: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] }] } }),
    });
    expect(rules(monitoring).map((rule) => rule.Targets[0].Arn)).toEqual([BUS_ARN]);
  });

  it('refuses a bus in another account, naming the bus, both environments and the fix', () => {
    const stack = testStack();
    expect(() => rollbackOnBus(stack, events.EventBus.fromEventBusArn(stack, 'Bus', 'arn:aws:events:eu-west-1:333333333333:event-bus/central')))
      .toThrow(/^\[TestStack\/Rollback\] eventBus arn:aws:events:eu-west-1:333333333333:event-bus\/central is in account 333333333333, Region eu-west-1, but this stack deploys to account 111111111111, Region eu-west-1.*\. Give a bus of account 111111111111 in eu-west-1/);
  });

  it('refuses a bus in another Region of the same account', () => {
    const stack = testStack();
    expect(() => rollbackOnBus(stack, events.EventBus.fromEventBusArn(stack, 'Bus', `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/rollbacks`)))
      .toThrow(/is in account 111111111111, Region us-east-1, but this stack deploys to account 111111111111, Region eu-west-1/);
  });

  it('refuses an ARN that is not an event bus ARN', () => {
    const stack = testStack();
    const notABus = { ...events.EventBus.fromEventBusArn(stack, 'Bus', BUS_ARN), eventBusName: 'rollbacks', eventBusArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:queue` } as unknown as events.IEventBus;
    expect(() => rollbackOnBus(stack, notABus)).toThrow(/eventBus has the ARN "arn:aws:sqs:eu-west-1:111111111111:queue", which is not an EventBridge event bus ARN/);
  });

  it('counts rules per bus: two stacks of one account and Region share the default bus\'s 300 rules', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: REGION };
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const one = new AlarmRollback(first, 'Rollback', { alarmStateChecks: false });
    for (let index = 0; index < 200; index++) {
      one.addTarget(`T${index}`, { alarms: [importedAlarm(first, `a${index}`)], target: APPCONFIG });
    }
    const two = new AlarmRollback(second, 'Rollback', { alarmStateChecks: false });
    for (let index = 0; index < 100; index++) {
      two.addTarget(`T${index}`, { alarms: [importedAlarm(second, `a${index}`)], target: APPCONFIG });
    }
    expect(() => two.addTarget('T100', { alarms: [importedAlarm(second, 'a100')], target: APPCONFIG }))
      .toThrow(/^\[Second\/Rollback\/T100\] this target needs 1 EventBridge rule\(s\), which makes 301 rules of this app on the default event bus of account 111111111111 in eu-west-1/);
  });

  it('counts a custom bus apart from the default bus', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: REGION };
    const first = new Stack(app, 'First', { env });
    const onDefault = new AlarmRollback(first, 'Rollback', { alarmStateChecks: false });
    for (let index = 0; index < 300; index++) {
      onDefault.addTarget(`T${index}`, { alarms: [importedAlarm(first, `a${index}`)], target: APPCONFIG });
    }
    const second = new Stack(app, 'Second', { env });
    const onBus = rollbackOnBus(second);
    expect(() => onBus.addTarget('Remote', { alarms: [importedAlarm(second, 'remote', REGION, '222222222222')], target: APPCONFIG }))
      .toThrow(/no alarmSources entry covers/);
    expect(() => new AlarmRollback(second, 'Other', {
      eventBus: events.EventBus.fromEventBusArn(second, 'Bus2', BUS_ARN),
      alarmSources: [AlarmSource.account('222222222222')],
      alarmStateChecks: false,
    }).addTarget('Remote', { alarms: [importedAlarm(second, 'remote2', REGION, '222222222222')], target: APPCONFIG })).not.toThrow();
  });
});

describe('the docs multi-account example', () => {
  it('synthesizes a workload stack whose bus lets the monitoring account in, and a monitoring stack that forwards its alarm there', () => {
    const app = new App();
    const { monitoring, workload } = buildMultiAccountApp(app);
    expect(() => app.synth()).not.toThrow();

    const onBus = rules(workload);
    expect(onBus).toHaveLength(1);
    expect(onBus[0].EventBusName).toEqual({ Ref: expect.stringMatching(/^RollbackBus/) });
    expect(onBus[0].EventPattern.resources).toEqual(['arn:aws:cloudwatch:eu-west-1:222222222222:alarm:checkout-errors']);
    Template.fromStack(workload).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Principal: { AWS: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] }] } }),
    });
    const forwarding = rules(monitoring);
    expect(forwarding).toHaveLength(1);
    expect(forwarding[0].Targets[0].Arn).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/alarm-rollback');
  });

  it('is the code docs/multi-account-and-tags.md shows, word for word', () => {
    const root = join(__dirname, '..', '..');
    const example = readFileSync(join(root, 'examples', 'readme-multi-account.ts'), 'utf8');
    const code = example.slice(example.indexOf('import { App')).replace("from '../src'", "from 'cdk-alarm-rollback'").trimEnd();
    const doc = readFileSync(join(root, 'docs', 'multi-account-and-tags.md'), 'utf8');
    const shown = /<!-- multi-account:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- multi-account:end -->/.exec(doc);
    expect(shown?.[1]).toBe(code);
  });
});

describe('cdk-nag on a custom bus with sources', () => {
  /** The rule ids cdk-nag's AwsSolutions and Serverless packs report for one AlarmRollback. */
  function findings(props: { custom: boolean }): string[] {
    const app = new App();
    const stack = new Stack(app, 'NagStack', { env: { account: ACCOUNT, region: REGION } });
    const rollback = new AlarmRollback(stack, 'Rollback', props.custom ? {
      eventBus: new events.EventBus(stack, 'Bus', { eventBusName: 'rollbacks' }),
      alarmSources: [AlarmSource.account('222222222222'), AlarmSource.organization('o-a1b2c3d4e5')],
    } : {});
    rollback.addTarget('Config', { alarms: [importedAlarm(stack, 'errors'), metricAlarm(stack, 'Latency')], target: APPCONFIG });
    // cdk-nag's EventBusOpenAccess reads CfnEventBusPolicy's deprecated `principal`; jsii would print a warning for each read.
    const deprecated = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'quiet';
    try {
      return [new AwsSolutionsChecks(app), new ServerlessChecks(app)]
        .flatMap((pack) => pack.validateScope(app).violations.map((violation) => violation.ruleName)).sort();
    } finally {
      if (deprecated === undefined) delete process.env.JSII_DEPRECATED;
      else process.env.JSII_DEPRECATED = deprecated;
    }
  }

  it('adds no finding beyond those of the default construct (whose reasons nag.test.ts gives): the forwarding role, rules and bus policy pass', () => {
    expect(findings({ custom: true })).toEqual(findings({ custom: false }));
  });
});
