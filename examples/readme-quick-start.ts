// The README's quick start, compiled and synthesized by
// test/constructs/readme-example.test.ts so it cannot rot. In the README the
// import reads `from 'cdk-alarm-rollback'`.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmRollback, RollbackTarget } from '../src';

export function buildQuickStartStack(app: App): Stack {
  const stack = new Stack(app, 'QuickStart');

  const application = new appconfig.Application(stack, 'Application');
  const environment = new appconfig.Environment(stack, 'Production', { application });

  const errorAlarm = new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'MyService', metricName: 'Errors', statistic: 'Sum' }),
    threshold: 5,
    evaluationPeriods: 1,
  });
  const latencyAlarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency',
    'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-service-p99-latency');

  const rollback = new AlarmRollback(stack, 'Rollback');

  rollback.addTarget('ConfigRollout', {
    alarms: [errorAlarm, latencyAlarm],
    target: RollbackTarget.appConfig({
      application,
      environment,
      revertCompletedWithin: Duration.hours(1),
    }),
  });

  rollback.addTarget('ProdEnvironment', {
    alarms: [errorAlarm],
    target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
  });

  return stack;
}
