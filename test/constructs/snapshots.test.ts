import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { ACCOUNT, REGION, alarmArn, importedAlarm, metricAlarm } from './support';
import { AlarmEventForwarder, AlarmRollback, AlarmTagPropagation, RollbackTarget } from '../../src';
import { MASKED_HASH, maskedTemplate } from '../support/masked-template';

// One snapshot per construct, of its default use: a reviewer sees the whole
// template a change produces. Behaviour is asserted in each construct's own
// tests; `npx projen test:update` rewrites these on purpose.
describe('snapshots, asset hashes masked', () => {
  it('AlarmRollback with one AppConfig target', () => {
    const stack = new Stack(new App(), 'Snapshot', { env: { account: ACCOUNT, region: REGION } });
    const rollback = new AlarmRollback(stack, 'Rollback');
    rollback.addTarget('Config', {
      alarms: [metricAlarm(stack, 'Errors'), importedAlarm(stack, 'latency')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    const template = maskedTemplate(stack);
    expect(JSON.stringify(template)).toContain(MASKED_HASH);
    expect(template).toMatchSnapshot();
  });

  it('AlarmEventForwarder forwarding two alarms to another account\'s bus', () => {
    const stack = new Stack(new App(), 'Monitoring', { env: { account: '222222222222', region: REGION } });
    new AlarmEventForwarder(stack, 'Forwarder', {
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rollback`),
      alarms: [
        cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', alarmArn('errors', REGION, '222222222222')),
        cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', alarmArn('latency', REGION, '222222222222')),
      ],
    });
    expect(maskedTemplate(stack)).toMatchSnapshot();
  });

  it('AlarmTagPropagation on a stack with one metric alarm', () => {
    const app = new App();
    const stack = new Stack(app, 'Tagged', { env: { account: ACCOUNT, region: REGION } });
    metricAlarm(stack, 'Errors');
    AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback'] });
    expect(maskedTemplate(stack)).toMatchSnapshot();
  });
});
