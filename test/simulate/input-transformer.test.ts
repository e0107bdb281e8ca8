import { Template } from 'aws-cdk-lib/assertions';
import { buildTargetInput, TargetInputSettings } from '../../local/simulate';
import { AlarmRollback, RollbackTarget } from '../../src';
import { importedAlarm, testStack } from '../constructs/support';
import metricAlarmEvent from '../fixtures/metric-alarm-state-change.json';

const context = { ruleArn: 'arn:aws:events:eu-west-1:111111111111:rule/r', ruleName: 'r', ingestionTime: '2026-11-20T14:03:11Z' };
const transformer = (InputTemplate: string, InputPathsMap?: Record<string, string>): TargetInputSettings =>
  ({ InputTransformer: { InputTemplate, InputPathsMap } });

describe('the predefined variables of an input transformer', () => {
  // EventBridge User Guide, "Amazon EventBridge input transformation", Predefined variables.
  it('fills <aws.events.event> with the original event without its detail field', () => {
    const input = buildTargetInput(transformer('{"event":<aws.events.event>}'), metricAlarmEvent, context) as { event: Record<string, unknown> };

    const { detail: _detail, ...envelope } = metricAlarmEvent;
    expect(input.event).toEqual(envelope);
    expect(input.event).not.toHaveProperty('detail');
  });

  it('fills <aws.events.event.json> with the whole original event, detail included', () => {
    const input = buildTargetInput(transformer('{"event":<aws.events.event.json>}'), metricAlarmEvent, context);

    expect(input).toEqual({ event: metricAlarmEvent });
  });

  it('fills the rule name, rule ARN and ingestion time', () => {
    const input = buildTargetInput(
      transformer('{"name":"<aws.events.rule-name>","arn":"<aws.events.rule-arn>","at":"<aws.events.event.ingestion-time>"}'),
      metricAlarmEvent, context);

    expect(input).toEqual({ name: 'r', arn: context.ruleArn, at: context.ingestionTime });
  });
});

describe('the input AlarmRollback gives its rules', () => {
  it('carries the whole alarm event, detail included, through an InputPathsMap of $', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { monitoring: false }).addTarget('Config', {
      alarms: [importedAlarm(stack, 'checkout-5xx-rate')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    const settings = rules[0].Properties.Targets[0] as TargetInputSettings;

    expect(Object.values(settings.InputTransformer?.InputPathsMap ?? {})).toEqual(['$']);
    const input = buildTargetInput(settings, metricAlarmEvent, context) as { event: unknown };
    expect(input.event).toEqual(metricAlarmEvent);
    expect(input.event).toHaveProperty('detail.state.value', 'ALARM');
  });
});
