// The "Multi-account and multi-region" example of docs/multi-account-and-tags.md,
// compiled and synthesized by test/constructs/event-bus.test.ts so it cannot
// rot. In the docs the import reads `from 'cdk-alarm-rollback'`.
import { App, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { AlarmEventForwarder, AlarmRollback, AlarmSource, RollbackTarget } from '../src';

const MONITORING = { account: '222222222222', region: 'eu-west-1' };
const WORKLOAD = { account: '111111111111', region: 'eu-west-1' };

export function buildMultiAccountApp(app: App): { monitoring: Stack; workload: Stack } {
  // Workload account: the deployment, and the rollback on a bus of its own.
  const workload = new Stack(app, 'Workload', { env: WORKLOAD });
  const bus = new events.EventBus(workload, 'RollbackBus', { eventBusName: 'alarm-rollback' });
  const application = new appconfig.Application(workload, 'Application');
  const environment = new appconfig.Environment(workload, 'Production', { application });
  const rollback = new AlarmRollback(workload, 'Rollback', {
    eventBus: bus,
    // Writes the bus policy: the monitoring account may put alarm events here.
    alarmSources: [AlarmSource.account(MONITORING.account, { regions: [MONITORING.region] })],
  });
  rollback.addTarget('Checkout', {
    alarms: [cloudwatch.Alarm.fromAlarmArn(workload, 'CheckoutErrors',
      `arn:aws:cloudwatch:${MONITORING.region}:${MONITORING.account}:alarm:checkout-errors`)],
    target: RollbackTarget.appConfig({ application, environment }),
  });

  // Monitoring account: the alarm, and the rule that forwards its events.
  const monitoring = new Stack(app, 'Monitoring', { env: MONITORING });
  const errors = new cloudwatch.Alarm(monitoring, 'CheckoutErrors', {
    alarmName: 'checkout-errors',
    metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Errors', statistic: 'Sum' }),
    threshold: 10,
    evaluationPeriods: 1,
  });
  new AlarmEventForwarder(monitoring, 'Forwarder', {
    eventBus: events.EventBus.fromEventBusArn(monitoring, 'RollbackBus',
      `arn:aws:events:${WORKLOAD.region}:${WORKLOAD.account}:event-bus/alarm-rollback`),
    alarms: [errors],
  });

  return { monitoring, workload };
}
