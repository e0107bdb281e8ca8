import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { metricAlarm, testStack } from './support';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../../src';
import { DEFAULT_NOTIFY_OUTCOMES, HandlerEnv } from '../../src/contract';
import { ALARM_STATE_CHECK_RESULTS } from '../../src/monitoring/rollback-dashboard';

interface GraphMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly stat: string;
  readonly period: number;
}

interface Widget {
  readonly type: string;
  readonly title?: string;
  readonly metrics: GraphMetric[];
}

/**
 * The dashboard's widgets as CloudWatch reads them. Resource references in
 * the body (Ref or GetAtt) become `<Ref:logical id>`, so each metric can be read whole.
 */
function dashboardWidgets(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1].map((part) => typeof part === 'string' ? part : `<Ref:${referenceOf(part)}>`).join('');
  const parsed = JSON.parse(text) as { widgets: Array<{ type: string; properties: { title?: string; metrics?: unknown[][] } }> };
  return parsed.widgets.map((widget) => ({
    type: widget.type,
    title: widget.properties.title,
    metrics: (widget.properties.metrics ?? []).map((row) => {
      const options = row[row.length - 1] as { stat: string; period: number };
      const [namespace, metricName, ...pairs] = row.slice(0, -1) as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
      // The body leaves out a period of 300 seconds, CloudWatch's default for a graph's metric.
      return { namespace, metricName, dimensions, stat: options.stat, period: options.period ?? 300 };
    }),
  }));
}

function referenceOf(part: unknown): string {
  const ref = part as { 'Ref'?: string; 'Fn::GetAtt'?: [string, string] };
  return ref.Ref ?? ref['Fn::GetAtt']![0];
}

function rollbackWithTargets(props: ConstructorParameters<typeof AlarmRollback>[2] = {}) {
  const stack = testStack();
  const rollback = new AlarmRollback(stack, 'Rollback', props);
  rollback.addTarget('ConfigRollout', {
    alarms: [metricAlarm(stack, 'Errors')],
    target: RollbackTarget.appConfig({ applicationId: 'app1234', environmentId: 'env1234' }),
  });
  return { stack, rollback };
}

function handlerEnvironments(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)
    .filter((variables): variables is Record<string, unknown> => variables?.[HandlerEnv.LEDGER_TABLE] !== undefined);
}

describe('addDashboard', () => {
  it('graphs every outcome of every target, also of targets added after the dashboard', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard();
    rollback.addTarget('ProdEnvironment', {
      alarms: [metricAlarm(stack, 'Latency')],
      target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
    });

    const widgets = dashboardWidgets(Template.fromStack(stack));
    for (const target of ['ConfigRollout', 'ProdEnvironment']) {
      const widget = widgets.find((w) => w.title === `Outcomes of ${target}`)!;
      expect(widget.metrics.map((m) => m.dimensions.Outcome)).toEqual(Object.values(RollbackOutcome));
      for (const metric of widget.metrics) {
        expect(metric).toMatchObject({
          namespace: 'CdkAlarmRollback',
          metricName: 'OutcomeCount',
          dimensions: { Rollback: 'TestStack/Rollback', Target: `TestStack/Rollback/${target}` },
          stat: 'Sum',
          period: 300,
        });
      }
    }
  });

  it('graphs a stack target\'s outcomes, COMPLETED_BEFORE_STOP among them, where the other kinds\' are, added before or after the dashboard', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addTarget('Web', { alarms: [metricAlarm(stack, 'WebErrors')], target: RollbackTarget.cloudFormationStack({ stackName: 'web' }) });
    rollback.addDashboard();
    const api = new Stack(stack.node.root as App, 'Api', { env: { account: stack.account, region: stack.region } });
    rollback.addTarget('Api', {
      alarms: [metricAlarm(stack, 'ApiErrors')],
      target: RollbackTarget.cloudFormationStack({ stack: api, bake: Duration.minutes(10) }),
    });

    const widgets = dashboardWidgets(Template.fromStack(stack));
    expect(widgets.filter((w) => w.title?.startsWith('Outcomes of ')).map((w) => w.title)).toEqual(['Outcomes of ConfigRollout', 'Outcomes of Web', 'Outcomes of Api']);
    for (const target of ['Web', 'Api']) {
      const widget = widgets.find((w) => w.title === `Outcomes of ${target}`)!;
      expect(widget.metrics.map((m) => m.dimensions.Outcome)).toEqual(Object.values(RollbackOutcome));
      expect(widget.metrics.find((m) => m.dimensions.Outcome === RollbackOutcome.COMPLETED_BEFORE_STOP)).toMatchObject({
        metricName: 'OutcomeCount',
        dimensions: { Rollback: 'TestStack/Rollback', Target: `TestStack/Rollback/${target}` },
        stat: 'Sum',
      });
    }
  });

  it('puts the stack updates that completed before the stop on one graph, once, before the first stack target\'s outcomes', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard();
    rollback.addTarget('Web', { alarms: [metricAlarm(stack, 'WebErrors')], target: RollbackTarget.cloudFormationStack({ stackName: 'web' }) });
    rollback.addTarget('Mail', { alarms: [metricAlarm(stack, 'MailErrors')], target: RollbackTarget.cloudFormationStack({ stackName: 'mail' }) });

    const titles = dashboardWidgets(Template.fromStack(stack)).map((w) => w.title);
    const title = 'Stack updates completed before the stop: deploy the previous version';
    expect(titles.filter((t) => t === title)).toHaveLength(1);
    expect(titles.indexOf(title)).toBe(titles.indexOf('Outcomes of Web') - 1);
    const widget = dashboardWidgets(Template.fromStack(stack)).find((w) => w.title === title)!;
    expect(widget.metrics).toEqual([{
      namespace: 'CdkAlarmRollback',
      metricName: 'OutcomeCount',
      dimensions: { Rollback: 'TestStack/Rollback', Outcome: RollbackOutcome.COMPLETED_BEFORE_STOP },
      stat: 'Sum',
      period: 300,
    }]);
  });

  it('draws no stack update graph for a rollback without stack targets', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard();

    expect(dashboardWidgets(Template.fromStack(stack)).map((w) => w.title)).not.toContain('Stack updates completed before the stop: deploy the previous version');
  });

  it('graphs the latency at p50, p90 and max, failures and dead-lettered events', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard('Overview', { period: Duration.minutes(1) });

    const widgets = dashboardWidgets(Template.fromStack(stack));
    const latency = widgets.find((w) => w.title === 'Alarm to action latency (ms)')!;
    expect(latency.metrics.map((m) => [m.metricName, m.dimensions, m.stat, m.period])).toEqual([
      ['AlarmToActionLatency', { Rollback: 'TestStack/Rollback' }, 'p50', 60],
      ['AlarmToActionLatency', { Rollback: 'TestStack/Rollback' }, 'p90', 60],
      ['AlarmToActionLatency', { Rollback: 'TestStack/Rollback' }, 'Maximum', 60],
    ]);
    const failures = widgets.find((w) => w.title === 'Failures and dead-lettered events')!;
    expect(failures.metrics).toEqual([
      { namespace: 'CdkAlarmRollback', metricName: 'OutcomeCount', dimensions: { Rollback: 'TestStack/Rollback', Outcome: 'FAILED' }, stat: 'Sum', period: 60 },
      { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: expect.stringMatching(/^<Ref:RollbackDeadLetterQueue/) }, stat: 'Maximum', period: 60 },
    ]);
  });

  it('graphs errors and throttles of the handler and the alarm-state check, and the checks by result', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard();

    const widgets = dashboardWidgets(Template.fromStack(stack));
    const health = widgets.find((w) => w.title === 'Errors and throttles')!;
    expect(health.metrics.map((m) => [m.namespace, m.metricName, m.dimensions.FunctionName?.replace(/[0-9A-F]{8}>$/, '>'), m.stat])).toEqual([
      ['AWS/Lambda', 'Errors', '<Ref:RollbackHandler>', 'Sum'],
      ['AWS/Lambda', 'Throttles', '<Ref:RollbackHandler>', 'Sum'],
      ['AWS/Lambda', 'Errors', '<Ref:RollbackAlarmState>', 'Sum'],
      ['AWS/Lambda', 'Throttles', '<Ref:RollbackAlarmState>', 'Sum'],
    ]);
    const checks = widgets.find((w) => w.title === 'Alarm-state checks by result')!;
    expect(checks.metrics).toHaveLength(2 * ALARM_STATE_CHECK_RESULTS.length);
    for (const trigger of ['DEPLOYMENT_START', 'DEPLOYMENT_TICK']) {
      expect(checks.metrics.filter((m) => m.dimensions.Trigger === trigger).map((m) => m.dimensions.Result)).toEqual(ALARM_STATE_CHECK_RESULTS);
    }
    expect(checks.metrics.every((m) => m.metricName === 'AlarmStateCheckCount' && m.dimensions.Rollback === 'TestStack/Rollback')).toBe(true);
  });

  it('leaves out the alarm-state check when alarmStateChecks is false', () => {
    const { stack, rollback } = rollbackWithTargets({ alarmStateChecks: false });
    rollback.addDashboard();

    const widgets = dashboardWidgets(Template.fromStack(stack));
    expect(widgets.find((w) => w.title === 'Alarm-state checks by result')).toBeUndefined();
    expect(widgets.find((w) => w.title === 'Errors and throttles')!.metrics.map((m) => m.metricName)).toEqual(['Errors', 'Throttles']);
    expect(() => rollback.metricAlarmStateErrors()).toThrow(/metricAlarmStateErrors was called, but alarmStateChecks is false/);
  });

  it('names the dashboard as asked', () => {
    const { stack, rollback } = rollbackWithTargets();
    rollback.addDashboard('Dashboard', { dashboardName: 'rollbacks' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'rollbacks' });
  });

  it('refuses a period that is not whole minutes, and an id used twice', () => {
    const { rollback } = rollbackWithTargets();
    expect(() => rollback.addDashboard('Dashboard', { period: Duration.seconds(30) }))
      .toThrow(/\[TestStack\/Rollback\] the dashboard period is 30 seconds.*Use Duration\.minutes\(n\)/);
    rollback.addDashboard('Dashboard');
    expect(() => rollback.addDashboard('Dashboard')).toThrow(/addDashboard id "Dashboard" is already used/);
  });
});

describe('alarmActions', () => {
  it('adds the actions to every watcher alarm, the alarm-state check\'s too', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Oncall');
    const rollback = new AlarmRollback(stack, 'Rollback', { alarmActions: [new actions.SnsAction(topic)] });

    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(rollback.alarms).toHaveLength(7);
    expect(Object.keys(alarms)).toHaveLength(7);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Oncall/) }]);
    }
  });

  it('leaves the watchers without actions when none are given', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback');
    for (const alarm of Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('lets actions be added to rollback.alarms afterwards, as the README shows', () => {
    const stack = testStack();
    const oncall = new sns.Topic(stack, 'Oncall');
    const rollback = new AlarmRollback(stack, 'Rollback');
    rollback.alarms.forEach((alarm) => alarm.addAlarmAction(new actions.SnsAction(oncall)));

    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((alarm) => alarm.Properties.AlarmActions)).toEqual(alarms.map(() => [{ Ref: expect.stringMatching(/^Oncall/) }]));
  });
});

describe('notifyOn', () => {
  it('passes the outcomes a person acts on to both functions by default', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { notificationTopic: new sns.Topic(stack, 'Topic') });

    const environments = handlerEnvironments(Template.fromStack(stack));
    expect(environments).toHaveLength(2);
    for (const variables of environments) {
      expect(variables[HandlerEnv.NOTIFY_OUTCOMES]).toBe('ROLLED_BACK,REVERTED,CANCEL_REQUESTED,COMPLETED_BEFORE_STOP,FAILED,DEPLOYMENT_BLOCKED,DRY_RUN,ALARM_MISSING');
    }
    expect(DEFAULT_NOTIFY_OUTCOMES).toContain(RollbackOutcome.DEPLOYMENT_BLOCKED);
  });

  it('passes the outcomes chosen with notifyOn', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', {
      notificationTopic: new sns.Topic(stack, 'Topic'),
      notifyOn: [RollbackOutcome.FAILED, RollbackOutcome.NO_ACTIVE_DEPLOYMENT],
    });
    for (const variables of handlerEnvironments(Template.fromStack(stack))) {
      expect(variables[HandlerEnv.NOTIFY_OUTCOMES]).toBe('FAILED,NO_ACTIVE_DEPLOYMENT');
    }
  });

  it('sets no outcome list without a topic, and warns when notifyOn is given without one', () => {
    const stack = testStack();
    new AlarmRollback(stack, 'Rollback', { notifyOn: [RollbackOutcome.FAILED] });
    const template = Template.fromStack(stack);
    for (const variables of handlerEnvironments(template)) {
      expect(variables[HandlerEnv.NOTIFY_OUTCOMES]).toBeUndefined();
    }
    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback', Match.stringLikeRegexp('notifyOn .* ignored because no notificationTopic'));
  });

  it('refuses an empty list, a repeated outcome and a name that is no outcome', () => {
    const cases: Array<[RollbackOutcome[], RegExp]> = [
      [[], /notifyOn is empty, so notificationTopic would never receive a message/],
      [[RollbackOutcome.FAILED, RollbackOutcome.FAILED], /notifyOn lists FAILED twice/],
      [['STOPPED' as RollbackOutcome], /notifyOn contains "STOPPED", which is not a RollbackOutcome.*ROLLED_BACK/],
    ];
    for (const [notifyOn, error] of cases) {
      const stack = testStack();
      expect(() => new AlarmRollback(stack, 'Rollback', { notificationTopic: new sns.Topic(stack, 'Topic'), notifyOn })).toThrow(error);
    }
  });
});
