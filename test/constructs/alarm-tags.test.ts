import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { alarmArn, importedAlarm, metricAlarm, testStack } from './support';
import { buildAlarmTagsStack } from '../../examples/readme-alarm-tags';
import { matchesEventPattern } from '../../local/simulate/event-pattern';
import { AlarmRollback, AlarmTagPropagation, RollbackTarget, TriggerOn } from '../../src';
import { INPUT_VERSION } from '../../src/contract';
import { EVENT_PATTERN_MAX_CHARS } from '../../src/private/quotas';
import taggedEvent from '../fixtures/tagged-alarm-state-change.json';

const APPCONFIG = { applicationId: 'abc1234', environmentId: 'def5678' };
const ALARM_EVENTS = { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] };

/** The rules of the template, by logical id. */
function rules(stack: Stack): Record<string, any> {
  return Template.fromStack(stack).findResources('AWS::Events::Rule');
}

/** The parsed rule input of the rule whose logical id starts with `prefix`. */
function inputOf(stack: Stack, prefix: RegExp): any {
  const [rule] = Object.entries(rules(stack)).filter(([id]) => prefix.test(id)).map(([, resource]) => resource);
  return JSON.parse(rule.Properties.Targets[0].InputTransformer.InputTemplate.replace('<f1>', '0'));
}

describe('a target watched by alarm tags', () => {
  let stack: Stack;
  let rollback: AlarmRollback;

  beforeEach(() => {
    stack = testStack();
    rollback = new AlarmRollback(stack, 'Rollback');
  });

  it('gets one rule matching the tags and the trigger states, whatever the alarms', () => {
    const added = rollback.addTarget('Checkout', {
      alarmTags: { rollback: 'checkout', team: 'payments' },
      target: RollbackTarget.appConfig(APPCONFIG),
    });

    expect(added.rules).toHaveLength(1);
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Name: Match.stringLikeRegexp(`^${rollback.ruleNamePrefix}Checkout-[0-9a-f]{6}-t$`),
      EventPattern: {
        ...ALARM_EVENTS,
        detail: { alarmTags: { rollback: ['checkout'], team: ['payments'] }, state: { value: ['ALARM'] } },
      },
      Description: 'Rolls back Checkout when an alarm tagged rollback=checkout, team=payments enters ALARM',
    });
  });

  it('synthesizes a pattern that matches the real-shaped tagged event, and not the same event with another tag value', () => {
    rollback.addTarget('Checkout', { alarmTags: { rollback: 'checkout', team: 'payments' }, target: RollbackTarget.appConfig(APPCONFIG) });
    const [pattern] = Object.values(rules(stack)).map((rule) => rule.Properties.EventPattern);
    const retagged = { ...taggedEvent, detail: { ...taggedEvent.detail, alarmTags: { ...taggedEvent.detail.alarmTags, team: 'search' } } };

    expect(matchesEventPattern(pattern, taggedEvent)).toBe(true);
    expect(matchesEventPattern(pattern, retagged)).toBe(false);
  });

  it('sends the handler the tags and no alarm ARN', () => {
    rollback.addTarget('Checkout', { alarmTags: { rollback: 'checkout' }, target: RollbackTarget.appConfig(APPCONFIG) });

    expect(inputOf(stack, /^RollbackCheckoutTagRule/)).toEqual({
      version: INPUT_VERSION,
      target: expect.objectContaining({ name: 'TestStack/Rollback/Checkout', alarmArns: [], alarmTags: { rollback: 'checkout' }, triggerStates: ['ALARM'] }),
      event: 0,
    });
  });

  it('matches INSUFFICIENT_DATA too when the target triggers on it', () => {
    rollback.addTarget('Checkout', {
      alarmTags: { rollback: 'checkout' },
      triggerOn: TriggerOn.ALARM_OR_INSUFFICIENT_DATA,
      target: RollbackTarget.appConfig(APPCONFIG),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { alarmTags: { rollback: ['checkout'] }, state: { value: ['ALARM', 'INSUFFICIENT_DATA'] } } },
    });
  });

  it('gets both kinds of rules with alarms and tags, each input saying how it matches', () => {
    const added = rollback.addTarget('Checkout', {
      alarms: [importedAlarm(stack, 'errors')],
      alarmTags: { rollback: 'checkout' },
      target: RollbackTarget.appConfig(APPCONFIG),
    });

    expect(added.rules).toHaveLength(2);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { ...ALARM_EVENTS, resources: [alarmArn('errors')], detail: { state: { value: ['ALARM'] } } },
    });
    const byArn = inputOf(stack, /^RollbackCheckoutRule/).target;
    const byTags = inputOf(stack, /^RollbackCheckoutTagRule/).target;
    expect(byArn.alarmArns).toEqual([alarmArn('errors')]);
    expect(byArn).not.toHaveProperty('alarmTags');
    expect(byTags).toMatchObject({ alarmArns: [], alarmTags: { rollback: 'checkout' } });
  });

  it('keeps a tag whose value is the empty string as an exact match', () => {
    rollback.addTarget('Checkout', { alarmTags: { canary: '' }, target: RollbackTarget.appConfig(APPCONFIG) });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { alarmTags: { canary: [''] } } },
    });
  });

  it('gives a tag-only AppConfig target no extension association, and warns that its alarms are not checked at deployment start', () => {
    rollback.addTarget('Checkout', { alarmTags: { rollback: 'checkout' }, target: RollbackTarget.appConfig(APPCONFIG) });

    Template.fromStack(stack).resourceCountIs('AWS::AppConfig::ExtensionAssociation', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback/Checkout', Match.stringLikeRegexp(
      'alarms this target matches by alarmTags \\(rollback=checkout\\) are not read by the alarm-state check.*cdk-alarm-rollback:alarmTagsNotChecked'));
  });

  it('gives a tag-only Proton target no start rule', () => {
    const added = rollback.addTarget('Prod', { alarmTags: { rollback: 'prod' }, target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });

    expect(added.rules).toHaveLength(1);
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { alarmTags: { rollback: ['prod'] } } } });
  });

  it('keeps the start rule and the association of the listed alarms when tags are given too', () => {
    rollback.addTarget('Prod', {
      alarms: [importedAlarm(stack, 'errors')],
      alarmTags: { rollback: 'prod' },
      target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
    });
    rollback.addTarget('Checkout', {
      alarms: [importedAlarm(stack, 'latency')],
      alarmTags: { rollback: 'checkout' },
      target: RollbackTarget.appConfig(APPCONFIG),
    });

    // Per target: the ARN rule, the tag rule; the Proton target's start rule.
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 5);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.proton'] } });
    Template.fromStack(stack).resourceCountIs('AWS::AppConfig::ExtensionAssociation', 1);
    // The start rule reads the listed alarms only.
    expect(inputOf(stack, /^RollbackProdStartRule/).target).toEqual(expect.objectContaining({ alarmArns: [alarmArn('errors')] }));
    expect(inputOf(stack, /^RollbackProdStartRule/).target).not.toHaveProperty('alarmTags');
  });

  it('warns nothing about tags when the alarm-state checks are off', () => {
    const quiet = new AlarmRollback(stack, 'Quiet', { alarmStateChecks: false });
    quiet.addTarget('Checkout', { alarmTags: { rollback: 'checkout' }, target: RollbackTarget.appConfig(APPCONFIG) });

    expect(Annotations.fromStack(stack).findWarning('/TestStack/Quiet/Checkout', Match.stringLikeRegexp('alarmTagsNotChecked'))).toHaveLength(0);
  });
});

describe('alarmTags validation', () => {
  const add = (options: Record<string, unknown>) => () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback').addTarget('Checkout', { target: RollbackTarget.appConfig(APPCONFIG), ...options } as never);
  };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['neither alarms nor tags', {}, /\[TestStack\/Rollback\/Checkout\] addTarget was given no alarms and no alarmTags.*Pass at least one cloudwatch.IAlarm in alarms, or alarmTags/],
    ['an empty alarm list and no tags', { alarms: [] }, /no alarms and no alarmTags/],
    ['an empty tag set', { alarmTags: {} }, /alarmTags has 0 tags; a target routes by 1 to 10 \(our own cap/],
    ['eleven tags', { alarmTags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }, /alarmTags has 11 tags/],
    ['a reserved aws: key', { alarmTags: { 'aws:cloudformation:stack-name': 'x' } }, /key "aws:cloudformation:stack-name", which is not 1 to 128 characters, not starting with "aws:"/],
    ['an AWS: key in capitals', { alarmTags: { 'AWS:team': 'x' } }, /key "AWS:team"/],
    ['a key of 129 characters', { alarmTags: { ['k'.repeat(129)]: 'x' } }, /not 1 to 128 characters/],
    ['the $or key', { alarmTags: { $or: 'x' } }, /"\$or", which EventBridge reads as an operator/],
    ['a value of 257 characters', { alarmTags: { rollback: 'v'.repeat(257) } }, /alarmTags.rollback is "vvv.*not 0 to 256 characters/],
    ['a value that is not a string', { alarmTags: { rollback: 7 } }, /alarmTags.rollback is 7/],
    ['tags that are a list', { alarmTags: ['rollback'] }, /alarmTags is \["rollback"\], not an object/],
    ['a token value', { alarmTags: { rollback: Lazy.string({ produce: () => 'checkout' }) } }, /alarmTags .rollback is a token; the tags are part of the rule's event pattern/],
    ['alarms that are not a list', { alarms: 'errors' }, /alarms is "errors", not a list of alarms/],
  ])('refuses %s', (_name, options, message) => {
    expect(add(options)).toThrow(message);
  });

  it('refuses tags whose rule pattern outgrows 2,048 characters, counting the pattern EventBridge stores', () => {
    const long = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${i}${'k'.repeat(127)}`, 'v'.repeat(120)]));

    expect(add({ alarmTags: long })).toThrow(new RegExp(`alarmTags make a rule of \\d+ pattern and \\d+ input characters; EventBridge allows ${EVENT_PATTERN_MAX_CHARS} and 8192.*Route by fewer or shorter tags`));
  });

  it('accepts ten tags at the longest that fit one pattern, and the stored pattern is within 2,048 characters', () => {
    const stack = testStack();
    const tags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${i}${'k'.repeat(60)}`, 'v'.repeat(100)]));
    new AlarmRollback(stack, 'Rollback').addTarget('Checkout', { alarmTags: tags, target: RollbackTarget.appConfig(APPCONFIG) });

    const [rule] = Object.values(rules(stack));
    expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
  });
});

describe('AlarmTagPropagation', () => {
  function appWithAlarms(): { app: App; stack: Stack } {
    const app = new App();
    const stack = new Stack(app, 'Alarms', { env: { account: '111111111111', region: 'eu-west-1' } });
    metricAlarm(stack, 'Errors');
    metricAlarm(stack, 'Latency');
    return { app, stack };
  }

  it('turns on tag propagation for every alarm created in the scope', () => {
    const { app, stack } = appWithAlarms();

    AlarmTagPropagation.enable(app);

    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(alarms)).toHaveLength(2);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.ActionConfiguration).toEqual({ AlarmTagsPropagation: { Enabled: true } });
    }
  });

  it('propagates only the included tag keys', () => {
    const { app, stack } = appWithAlarms();

    AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback', 'team'] });

    Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', {
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true, IncludedTagKeys: ['rollback', 'team'], ExcludedTagKeys: Match.absent() } },
    });
  });

  it('propagates every tag but the excluded keys', () => {
    const { app, stack } = appWithAlarms();

    AlarmTagPropagation.enable(app, { excludedTagKeys: ['cost-center'] });

    Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', {
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true, ExcludedTagKeys: ['cost-center'], IncludedTagKeys: Match.absent() } },
    });
  });

  it('changes only the alarms inside the scope', () => {
    const app = new App();
    const inside = new Stack(app, 'Inside');
    const outside = new Stack(app, 'Outside');
    metricAlarm(inside, 'Errors');
    metricAlarm(outside, 'Errors');

    AlarmTagPropagation.enable(inside);

    Template.fromStack(inside).hasResourceProperties('AWS::CloudWatch::Alarm', { ActionConfiguration: { AlarmTagsPropagation: { Enabled: true } } });
    Template.fromStack(outside).hasResourceProperties('AWS::CloudWatch::Alarm', { ActionConfiguration: Match.absent() });
  });

  it('propagates composite alarms\' tags too, as their CloudFormation schema allows', () => {
    const { app, stack } = appWithAlarms();
    new cloudwatch.CompositeAlarm(stack, 'Health', {
      alarmRule: cloudwatch.AlarmRule.anyOf(cloudwatch.AlarmRule.fromAlarm(stack.node.findChild('Errors') as cloudwatch.IAlarm, cloudwatch.AlarmState.ALARM)),
    });

    AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback'] });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true, IncludedTagKeys: ['rollback'] } },
    });
  });

  it('keeps the alarm\'s other properties and tags', () => {
    const { app, stack } = appWithAlarms();
    const tagged = metricAlarm(stack, 'Tagged');
    Tags.of(tagged).add('rollback', 'checkout');

    AlarmTagPropagation.enable(app);

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Tagged',
      Threshold: 1,
      Tags: [{ Key: 'rollback', Value: 'checkout' }],
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true } },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['both key lists', { includedTagKeys: ['a'], excludedTagKeys: ['b'] }, /both includedTagKeys and excludedTagKeys; CloudWatch takes one or the other/],
    ['an empty key list', { includedTagKeys: [] }, /includedTagKeys is a list of 0 keys; CloudWatch takes 1 to 50 tag keys/],
    ['51 keys', { excludedTagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }, /excludedTagKeys is a list of 51 keys/],
    ['an aws: key', { includedTagKeys: ['aws:cloudformation:stack-id'] }, /includedTagKeys has the key "aws:cloudformation:stack-id".*never propagated/],
    ['a key of 129 characters', { includedTagKeys: ['k'.repeat(129)] }, /includedTagKeys has the key "kkk/],
    ['a key twice', { includedTagKeys: ['rollback', 'rollback'] }, /includedTagKeys lists "rollback" twice/],
  ])('refuses %s, naming the scope', (_name, options, message) => {
    const { stack } = appWithAlarms();

    expect(() => AlarmTagPropagation.enable(stack, options)).toThrow(message);
    expect(() => AlarmTagPropagation.enable(stack, options)).toThrow(/^\[Alarms\] /);
    expect(() => new AlarmTagPropagation(options)).toThrow(message);
  });
});

describe('the docs example of watching alarms by tag', () => {
  it('synthesizes one tag rule and a tagged alarm with tag propagation on', () => {
    const app = new App();
    const stack = buildAlarmTagsStack(app);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { alarmTags: { rollback: ['checkout'] } } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      Tags: [{ Key: 'rollback', Value: 'checkout' }],
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true, IncludedTagKeys: ['rollback'] } },
    });
    // A tag-only target has nothing for the start check to read.
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', 0);
    expect(() => app.synth()).not.toThrow();
  });

  it('is the code docs/multi-account-and-tags.md shows, word for word', () => {
    const root = join(__dirname, '..', '..');
    const example = readFileSync(join(root, 'examples', 'readme-alarm-tags.ts'), 'utf8');
    const code = example.slice(example.indexOf('import { App')).replace("from '../src'", "from 'cdk-alarm-rollback'").trimEnd();
    const shown = /<!-- alarm-tags:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- alarm-tags:end -->/.exec(readFileSync(join(root, 'docs', 'multi-account-and-tags.md'), 'utf8'));
    expect(shown?.[1]).toBe(code);
  });
});
