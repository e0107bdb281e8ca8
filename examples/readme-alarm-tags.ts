// The "Watching alarms by tag" example of docs/multi-account-and-tags.md,
// compiled and synthesized by test/constructs/alarm-tags.test.ts so it cannot
// rot. In the docs the import reads `from 'cdk-alarm-rollback'`.
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmRollback, AlarmTagPropagation, RollbackTarget } from '../src';

export function buildAlarmTagsStack(app: App): Stack {
  const stack = new Stack(app, 'Checkout');

  // Every alarm of the app puts its `rollback` tag into its events.
  AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback'] });

  const latency = new cloudwatch.Alarm(stack, 'Latency', {
    metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Latency', statistic: 'p99' }),
    threshold: 1500,
    evaluationPeriods: 3,
  });
  Tags.of(latency).add('rollback', 'checkout');

  const application = new appconfig.Application(stack, 'Application');
  const environment = new appconfig.Environment(stack, 'Production', { application });

  new AlarmRollback(stack, 'Rollback').addTarget('Checkout', {
    alarmTags: { rollback: 'checkout' },
    target: RollbackTarget.appConfig({ application, environment }),
  });

  return stack;
}
