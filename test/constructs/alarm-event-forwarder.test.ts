import { App, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ACCOUNT, REGION, alarmArn } from './support';
import { AlarmEventForwarder, AlarmRollback, AlarmSource, RollbackTarget, TriggerOn } from '../../src';
import { addForwardingRules, isForwardingRule } from '../../src/forwarding/forwarding-rules';
import { EVENT_PATTERN_MAX_CHARS } from '../../src/private/quotas';

/** The monitoring account: alarms live here, the rollback lives in ACCOUNT. */
const MONITORING = '222222222222';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rollback`;
const DEFAULT_BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;

function monitoringStack(app = new App(), account = MONITORING, region = REGION): Stack {
  return new Stack(app, `Monitoring${account}${region}`, { env: { account, region } });
}

function bus(stack: Stack, arn = BUS_ARN): events.IEventBus {
  return events.EventBus.fromEventBusArn(stack, `Bus${stack.node.children.length}`, arn);
}

function alarm(stack: Stack, name: string, account = MONITORING, region = REGION): cloudwatch.IAlarm {
  return cloudwatch.Alarm.fromAlarmArn(stack, `Alarm-${name}-${account}-${region}`, alarmArn(name, region, account));
}

function rules(stack: Stack): Array<{ EventPattern: any; Targets: any[]; Name: string }> {
  return Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((resource) => resource.Properties);
}

describe('AlarmEventForwarder', () => {
  it('forwards exactly the given alarms entering ALARM from the default bus', () => {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors'), alarm(stack, 'latency')],
    });

    const [rule] = rules(stack);
    expect(rules(stack)).toHaveLength(1);
    expect((rule as any).EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'resources': [alarmArn('errors', REGION, MONITORING), alarmArn('latency', REGION, MONITORING)],
      'detail': { state: { value: ['ALARM'] } },
    });
  });

  it('forwards INSUFFICIENT_DATA too when triggerOn says so', () => {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA,
    });

    expect(rules(stack)[0].EventPattern.detail).toEqual({ state: { value: ['ALARM', 'INSUFFICIENT_DATA'] } });
  });

  it('forwards the alarms whose propagated tags hold every key of alarmTags with one rule', () => {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarmTags: { rollback: 'checkout', team: 'payments' },
    });

    expect(rules(stack)).toHaveLength(1);
    expect(rules(stack)[0].EventPattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'detail': { alarmTags: { rollback: ['checkout'], team: ['payments'] }, state: { value: ['ALARM'] } },
    });
  });

  it('makes one rule for the alarms and one for the tags when given both', () => {
    const stack = monitoringStack();
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
    });

    expect(forwarder.rules).toHaveLength(2);
    expect(rules(stack).map((rule) => Object.keys(rule.EventPattern).includes('resources'))).toEqual([true, false]);
  });

  it('targets the rollback bus with its role and dead-letter queue, the event unchanged and no retry policy', () => {
    const stack = monitoringStack();
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
    });

    for (const rule of rules(stack)) {
      expect(rule.Targets).toEqual([{
        Arn: BUS_ARN,
        Id: 'Target0',
        RoleArn: stack.resolve(forwarder.role.roleArn),
        DeadLetterConfig: { Arn: stack.resolve(forwarder.deadLetterQueue.queueArn) },
      }]);
    }
  });

  it('names every rule with one prefix of at most 64 characters', () => {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'ForwarderWithARatherLongConstructId', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
    });

    const names = rules(stack).map((rule) => rule.Name);
    const prefix = names[0].slice(0, names[0].lastIndexOf('alarms-'));
    expect(names).toEqual([`${prefix}alarms-1`, `${prefix}tags-1`]);
    expect(Math.max(...names.map((name) => name.length))).toBeLessThanOrEqual(64);
  });

  it('lets EventBridge assume the role for its own rules only, and the role may put events on the rollback bus and nothing else', () => {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [alarm(stack, 'errors')] });

    const template = Template.fromStack(stack);
    const name = rules(stack)[0].Name;
    const prefix = name.slice(0, name.lastIndexOf('alarms-'));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': MONITORING },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${MONITORING}:rule/${prefix}*`]] } },
          },
        }],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS_ARN }] },
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('keeps undeliverable events 14 days in an encrypted, TLS-only queue that only its rules may send to', () => {
    const stack = monitoringStack();
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const name = rules(stack)[0].Name;
    const prefix = name.slice(0, name.lastIndexOf('alarms-'));
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Sid: expect.stringMatching(/^AllowForwardingRulesToDeadLetter/),
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: stack.resolve(forwarder.deadLetterQueue.queueArn),
        Condition: {
          ArnLike: {
            'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${MONITORING}:rule/${prefix}*`]] },
          },
        },
      },
    ]);
  });

  it('alarms on the first dead-lettered event, with the actions given', () => {
    const stack = monitoringStack();
    const topic = new sns.Topic(stack, 'Oncall');
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack),
      alarms: [alarm(stack, 'errors')],
      alarmActions: [new actions.SnsAction(topic)],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve((forwarder.deadLetterQueue as sqs.Queue).queueName) }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [stack.resolve(topic.topicArn)],
      AlarmDescription: Match.stringLikeRegexp('never reached the rollback bus "rollback" in 111111111111 eu-west-1'),
    });
    expect(stack.resolve(forwarder.metricDeadLettered().toMetricConfig().metricStat?.dimensions))
      .toEqual([{ name: 'QueueName', value: stack.resolve((forwarder.deadLetterQueue as sqs.Queue).queueName) }]);
  });

  it('spreads many alarms over the fewest rules whose patterns fit 2,048 characters, each alarm in one rule', () => {
    const stack = monitoringStack();
    const alarms = Array.from({ length: 60 }, (_, index) => alarm(stack, `checkout-service-${String(index).padStart(2, '0')}-5xx-error-rate-above-threshold`));
    const forwarder = new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms });

    const found = rules(stack);
    expect(forwarder.rules.length).toBe(found.length);
    expect(found.length).toBeGreaterThan(1);
    const arnChars = alarmArn('checkout-service-00-5xx-error-rate-above-threshold', REGION, MONITORING).length + 3;
    const skeleton = JSON.stringify({ ...found[0].EventPattern, resources: [] }).length;
    // The fewest: every rule but the last is too full to take one more ARN.
    for (const rule of found.slice(0, -1)) {
      expect(JSON.stringify(rule.EventPattern).length + arnChars).toBeGreaterThan(EVENT_PATTERN_MAX_CHARS);
    }
    for (const rule of found) {
      expect(JSON.stringify(rule.EventPattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      expect(skeleton).toBeLessThan(JSON.stringify(rule.EventPattern).length);
    }
    expect(found.flatMap((rule) => rule.EventPattern.resources)).toEqual(alarms.map((a) => a.alarmArn));
  });

  it('forwards to a bus in another Region of its own account', () => {
    const stack = monitoringStack(new App(), ACCOUNT, 'us-east-1');
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: bus(stack, DEFAULT_BUS_ARN),
      alarms: [alarm(stack, 'errors', ACCOUNT, 'us-east-1')],
    });

    expect(rules(stack)[0].Targets[0].Arn).toBe(DEFAULT_BUS_ARN);
  });

  it('forwards to a named bus created in another stack of the app', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: ACCOUNT, region: REGION } });
    const rollbackBus = new events.EventBus(workload, 'RollbackBus', { eventBusName: 'rollback' });
    const stack = monitoringStack(app);
    new AlarmEventForwarder(stack, 'Forwarder', { eventBus: rollbackBus, alarms: [alarm(stack, 'errors')] });

    expect(stack.resolve(rules(stack)[0].Targets[0].Arn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:event-bus/rollback`]],
    });
  });

  it('forwards an alarm created in its own stack', () => {
    const stack = monitoringStack();
    const created = new cloudwatch.Alarm(stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [created] });

    expect(rules(stack)[0].EventPattern.resources).toEqual([{ 'Fn::GetAtt': [stack.getLogicalId(created.node.defaultChild as cloudwatch.CfnAlarm), 'Arn'] }]);
  });

  it('forwards a composite alarm by its ARN', () => {
    const stack = monitoringStack();
    const errors = alarm(stack, 'errors');
    const composite = new cloudwatch.CompositeAlarm(stack, 'Checkout', {
      compositeAlarmName: 'checkout-health',
      alarmRule: cloudwatch.AlarmRule.fromAlarm(errors, cloudwatch.AlarmState.ALARM),
    });
    new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [composite, errors] });

    expect(rules(stack)[0].EventPattern.resources).toEqual([
      stack.resolve(composite.alarmArn),
      alarmArn('errors', REGION, MONITORING),
    ]);
  });

  describe('refuses at synth time', () => {
    it('a forwarder with no alarms and no tags', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [], alarmTags: {} }))
        .toThrow(/\[Monitoring222222222222eu-west-1\/Forwarder\] AlarmEventForwarder was given no alarms and no alarmTags.*Pass the alarms/);
    });

    it('the same alarm twice', () => {
      const stack = monitoringStack();
      const errors = alarm(stack, 'errors');
      const again = cloudwatch.Alarm.fromAlarmArn(stack, 'Again', errors.alarmArn);
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [errors, again] }))
        .toThrow(/alarm 1 \(arn:aws:cloudwatch:eu-west-1:222222222222:alarm:errors\) is the same alarm as alarm 0\. Pass each alarm once/);
    });

    it('an ARN that is not a CloudWatch alarm ARN', () => {
      const stack = monitoringStack();
      const notAlarm = cloudwatch.Alarm.fromAlarmArn(stack, 'NotAlarm', `arn:aws:sns:${REGION}:${MONITORING}:topic`);
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [notAlarm] }))
        .toThrow(/not a CloudWatch alarm ARN/);
    });

    it('a bus whose account and Region are only known at deploy time', () => {
      const stack = monitoringStack();
      const tokenBus = events.EventBus.fromEventBusArn(stack, 'TokenBus', Fn.importValue('RollbackBusArn'));
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: tokenBus, alarms: [alarm(stack, 'errors')] }))
        .toThrow(/the event bus .*TokenBus has an account only known at deploy time.*events\.EventBus\.fromEventBusArn/);
    });

    it('the default bus of its own account and Region', () => {
      const stack = monitoringStack();
      const own = bus(stack, `arn:aws:events:${REGION}:${MONITORING}:event-bus/default`);
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: own, alarms: [alarm(stack, 'errors')] }))
        .toThrow(/default bus of this stack's own account 222222222222 and Region eu-west-1, where the alarm events already are/);
    });

    it('a bus created in another account without a name', () => {
      const app = new App();
      const workload = new Stack(app, 'Workload', { env: { account: ACCOUNT, region: REGION } });
      const unnamed = new events.EventBus(workload, 'RollbackBus');
      const stack = monitoringStack(app);
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: unnamed, alarms: [alarm(stack, 'errors')] }))
        .toThrow(/lives in another account or Region and has no eventBusName.*Give the bus an eventBusName/);
    });

    it('an alarm of another account, whose events never reach this stack\'s bus', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [alarm(stack, 'errors', '333333333333')] }))
        .toThrow(/alarm 0 \(arn:aws:cloudwatch:eu-west-1:333333333333:alarm:errors\) is in account 333333333333, Region eu-west-1.*Forward it with an AlarmEventForwarder in a stack of account 333333333333 and Region eu-west-1/);
    });

    it('an alarm of another Region', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [alarm(stack, 'errors', MONITORING, 'us-west-2')] }))
        .toThrow(/is in account 222222222222, Region us-west-2/);
    });

    it('an alarm created in a stack of another Region', () => {
      const app = new App();
      const other = monitoringStack(app, MONITORING, 'us-west-2');
      const created = new cloudwatch.Alarm(other, 'Errors', {
        alarmName: 'errors',
        metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Errors' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      const stack = monitoringStack(app);
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [created] }))
        .toThrow(/\(Monitoring222222222222us-west-2\/Errors\) is in account 222222222222, Region us-west-2/);
    });

    it('rules past the 300 of the default bus, counting the stack\'s other rules there and none on other buses', () => {
      const stack = monitoringStack();
      for (let index = 0; index < 299; index++) {
        new events.Rule(stack, `Other${index}`, { eventPattern: { source: ['other'] } });
      }
      new events.Rule(stack, 'OnCustomBus', { eventBus: new events.EventBus(stack, 'Custom'), eventPattern: { source: ['other'] } });
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [alarm(stack, 'errors')], alarmTags: { rollback: 'checkout' } }))
        .toThrow(/forwarding needs 2 EventBridge rule\(s\), which makes 301 rules on the default event bus of stack Monitoring222222222222eu-west-1; EventBridge allows 300/);
    });

    it('a tag key CloudWatch never propagates', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarmTags: { 'aws:cloudformation:stack-name': 'x' } }))
        .toThrow(/alarmTags has the key "aws:cloudformation:stack-name", which is not 1 to 128 characters, not starting with "aws:"/);
    });

    it('a tag value longer than CloudWatch allows', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarmTags: { rollback: 'x'.repeat(257) } }))
        .toThrow(/alarmTags.rollback is .* not 0 to 256 characters/);
    });

    it('more tags than an alarm can carry', () => {
      const stack = monitoringStack();
      const tags = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`key${index}`, 'v']));
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarmTags: tags }))
        .toThrow(/alarmTags has 51 tags; an alarm carries at most 50 tags/);
    });

    it('the $or key, which EventBridge reads as an operator in the forwarding rule too', () => {
      const stack = monitoringStack();
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarmTags: { $or: 'x' } }))
        .toThrow(/"\$or", which EventBridge reads as an operator/);
    });

    it('a tag set whose pattern outgrows 2,048 characters', () => {
      const stack = monitoringStack();
      const tags = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`key${index}`.padEnd(100, 'k'), 'v'.repeat(150)]));
      expect(() => new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarmTags: tags }))
        .toThrow(/makes an event pattern of \d+ characters; EventBridge allows 2048/);
    });
  });

  describe('with an AlarmRollback of the same app on the bus', () => {
    /** A workload stack whose AlarmRollback watches the monitoring account's `errors` alarm, on the default bus. */
    function app(triggerOn = TriggerOn.ALARM) {
      const theApp = new App();
      const workload = new Stack(theApp, 'Workload', { env: { account: ACCOUNT, region: REGION } });
      const rollback = new AlarmRollback(workload, 'Rollback', { alarmSources: [AlarmSource.account(MONITORING)] });
      rollback.addTarget('Checkout', {
        alarms: [alarm(workload, 'errors')],
        target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
        triggerOn,
      });
      const monitoring = monitoringStack(theApp);
      return { theApp, monitoring, workload };
    }

    it('accepts forwarding the alarms a target watches', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring, DEFAULT_BUS_ARN), alarms: [alarm(monitoring, 'errors')] });

      expect(() => theApp.synth()).not.toThrow();
    });

    it('accepts forwarding an alarm created in the monitoring stack that a target imports by ARN', () => {
      const { theApp, monitoring } = app();
      const created = new cloudwatch.Alarm(monitoring, 'Errors', {
        alarmName: 'errors',
        metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Errors' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring, DEFAULT_BUS_ARN), alarms: [created] });

      expect(() => theApp.synth()).not.toThrow();
    });

    it('refuses forwarding an alarm no target watches, naming it', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', {
        eventBus: bus(monitoring, DEFAULT_BUS_ARN),
        alarms: [alarm(monitoring, 'errors'), alarm(monitoring, 'latency')],
      });

      expect(() => theApp.synth()).toThrow(/alarm 1 \(arn:aws:cloudwatch:eu-west-1:222222222222:alarm:latency\) is forwarded in ALARM, but no target of Workload\/Rollback watches it/);
    });

    it('refuses forwarding INSUFFICIENT_DATA when the target acts on ALARM only', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', {
        eventBus: bus(monitoring, DEFAULT_BUS_ARN),
        alarms: [alarm(monitoring, 'errors')],
        triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA,
      });

      expect(() => theApp.synth()).toThrow(/alarm 0 .*errors\) is forwarded in INSUFFICIENT_DATA, but no target/);
    });

    it('refuses forwarding a tag set no target watches', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring, DEFAULT_BUS_ARN), alarmTags: { rollback: 'checkout' } });

      expect(() => theApp.synth()).toThrow(/alarms tagged \{"rollback":"checkout"\} are forwarded in ALARM, but no target of Workload\/Rollback watches/);
    });

    it('accepts forwarding a tag set that holds every tag of a tag-routed target', () => {
      const { theApp, monitoring, workload } = app();
      const rollback = workload.node.findChild('Rollback') as AlarmRollback;
      rollback.addTarget('Tagged', {
        alarmTags: { rollback: 'checkout' },
        target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'ghi9012' }),
      });
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring, DEFAULT_BUS_ARN), alarmTags: { rollback: 'checkout', team: 'payments' } });

      expect(() => theApp.synth()).not.toThrow();
    });

    it('refuses forwarding a tag set that leaves out a tag the tag-routed target needs', () => {
      const { theApp, monitoring, workload } = app();
      const rollback = workload.node.findChild('Rollback') as AlarmRollback;
      rollback.addTarget('Tagged', {
        alarmTags: { rollback: 'checkout', team: 'payments' },
        target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'ghi9012' }),
      });
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring, DEFAULT_BUS_ARN), alarmTags: { rollback: 'checkout' } });

      expect(() => theApp.synth()).toThrow(/alarms tagged \{"rollback":"checkout"\} are forwarded in ALARM, but no target of Workload\/Rollback watches/);
    });

    it('does not check a forwarder to another account, where no AlarmRollback of the app is', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', {
        eventBus: bus(monitoring, `arn:aws:events:${REGION}:444444444444:event-bus/rollback`),
        alarms: [alarm(monitoring, 'latency')],
      });

      expect(() => theApp.synth()).not.toThrow();
    });

    it('refuses forwarding to a bus of the rollback\'s account that its rules are not on, where events would stop', () => {
      const { theApp, monitoring } = app();
      new AlarmEventForwarder(monitoring, 'Forwarder', { eventBus: bus(monitoring), alarms: [alarm(monitoring, 'errors')] });

      expect(() => theApp.synth()).toThrow(new RegExp('AlarmRollback Workload/Rollback in account 111111111111, Region eu-west-1 receives alarm events on the bus "default", not on "rollback"; '
        + '.*Forward to that AlarmRollback\'s bus: .*arn:aws:events:eu-west-1:111111111111:event-bus/default'));
    });
  });

  /** The findings that are by design, each with the reason; a new finding, or one that disappears, fails the tests. */
  const EXPECTED_FINDINGS: Record<string, string> = {
    'AwsSolutions-SQS3': 'This queue is the forwarding rules\' dead-letter queue: it holds the events EventBridge could not put on the rollback bus, for a person to read; a dead-letter queue of its own would only move them.',
    'Serverless-SQSRedrivePolicy': 'This queue is the forwarding rules\' dead-letter queue; people read it and nothing consumes it, so there is nothing to redrive from.',
  };

  function nagFindings(pack: AwsSolutionsChecks | ServerlessChecks, stack: Stack): string[] {
    return pack.validateScope(stack.node.root).violations.map((violation) => violation.ruleName).sort();
  }

  function nagStack(): Stack {
    const stack = monitoringStack();
    new AlarmEventForwarder(stack, 'Forwarder', { eventBus: bus(stack), alarms: [alarm(stack, 'errors')], alarmTags: { rollback: 'checkout' } });
    return stack;
  }

  it('passes the AwsSolutions checks with only the finding that is by design', () => {
    const stack = nagStack();
    expect(nagFindings(new AwsSolutionsChecks(stack.node.root, { verbose: true }), stack))
      .toEqual(Object.keys(EXPECTED_FINDINGS).filter((id) => id.startsWith('AwsSolutions-')));
  });

  it('passes the Serverless checks with only the finding that is by design', () => {
    const stack = nagStack();
    expect(nagFindings(new ServerlessChecks(stack.node.root, { verbose: true }), stack))
      .toEqual(Object.keys(EXPECTED_FINDINGS).filter((id) => id.startsWith('Serverless-')));
  });
});

describe('addForwardingRules', () => {
  it('grants a role one PutEvents statement per bus however often it forwards there', () => {
    const stack = monitoringStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    const deadLetterQueue = new sqs.Queue(stack, 'Queue');
    const destination = bus(stack);
    const common = { destination, alarmTagSets: [], triggerStates: ['ALARM'], role, deadLetterQueue, purpose: 'for a test' };
    const first = addForwardingRules(stack, { ...common, alarmArns: [alarmArn('a', REGION, MONITORING)], namePrefix: 'One-' });
    const second = addForwardingRules(new Construct(stack, 'Second'), { ...common, alarmArns: [alarmArn('b', REGION, MONITORING)], namePrefix: 'Two-' });

    expect(first.rules.concat(second.rules).every(isForwardingRule)).toBe(true);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS_ARN }]);
  });

  it('admits each name prefix once in the dead-letter queue\'s policy', () => {
    const stack = monitoringStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    const deadLetterQueue = new sqs.Queue(stack, 'Queue');
    const common = { destination: bus(stack), alarmTagSets: [], triggerStates: ['ALARM'], role, deadLetterQueue, purpose: 'for a test' };
    addForwardingRules(new Construct(stack, 'First'), { ...common, alarmArns: [alarmArn('a', REGION, MONITORING)], namePrefix: 'Same-' });
    addForwardingRules(new Construct(stack, 'Second'), { ...common, alarmArns: [alarmArn('b', REGION, MONITORING)], namePrefix: 'Same-' });
    addForwardingRules(new Construct(stack, 'Third'), { ...common, alarmArns: [alarmArn('c', REGION, MONITORING)], namePrefix: 'Other-' });

    const statements = Object.values(Template.fromStack(stack).findResources('AWS::SQS::QueuePolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.map((statement: any) => statement.Condition.ArnLike['aws:SourceArn']['Fn::Join'][1][2])).toEqual([
      `:events:${REGION}:${MONITORING}:rule/Same-*`,
      `:events:${REGION}:${MONITORING}:rule/Other-*`,
    ]);
  });

  it('adds no queue statement when the caller\'s queue already admits the rules', () => {
    const stack = monitoringStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    const deadLetterQueue = new sqs.Queue(stack, 'Queue');
    const forwarding = addForwardingRules(stack, {
      destination: bus(stack),
      alarmArns: [alarmArn('a', REGION, MONITORING)],
      alarmTagSets: [],
      triggerStates: ['ALARM'],
      role,
      deadLetterQueue,
      admitToDeadLetterQueue: false,
      namePrefix: 'P-',
      purpose: 'for a test',
    });

    Template.fromStack(stack).resourceCountIs('AWS::SQS::QueuePolicy', 0);
    expect(rules(stack)[0].Targets[0].DeadLetterConfig).toEqual({ Arn: stack.resolve(deadLetterQueue.queueArn) });
    expect(forwarding.rules).toHaveLength(1);
  });

  it('refuses to forward nothing', () => {
    const stack = monitoringStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    expect(() => addForwardingRules(stack, {
      destination: bus(stack),
      alarmArns: [],
      alarmTagSets: [],
      triggerStates: ['ALARM'],
      role,
      deadLetterQueue: new sqs.Queue(stack, 'Queue'),
      namePrefix: 'P-',
      purpose: 'for a test',
    })).toThrow(/nothing to forward/);
  });
});
