// The README quick start's bin/app.ts. test/constructs/readme-example.test.ts
// compares it with the README word for word and synthesizes it;
// .ci/quick-start.sh runs the README's copy in an empty folder against the
// packed library. In the README the import reads `from 'cdk-alarm-rollback'`.
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmRollback, RollbackTarget } from '../src';

export class RollbackStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Alarms that already exist, by name: their ARNs take this stack's account and Region.
    const errors = cloudwatch.Alarm.fromAlarmName(this, 'Errors', 'my-service-errors');
    const latency = cloudwatch.Alarm.fromAlarmName(this, 'Latency', 'my-service-p99-latency');

    // Who hears about it when the rollback itself fails (its watcher alarms).
    const onCall = sns.Topic.fromTopicArn(this, 'OnCall', this.formatArn({ service: 'sns', resource: 'on-call' }));

    const rollback = new AlarmRollback(this, 'Rollback', {
      // First deploy: every decision is recorded as DRY_RUN and nothing is stopped.
      // Remove this line once the ledger shows the decisions you expect.
      dryRun: true,
      alarmActions: [new actions.SnsAction(onCall)],
    });

    // An AppConfig environment created elsewhere, by its application's ID and its own.
    rollback.addTarget('Production', {
      alarms: [errors, latency],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });

    // Or an environment this app creates: pass the construct.
    const application = new appconfig.Application(this, 'Application');
    const staging = new appconfig.Environment(this, 'Staging', { application });
    rollback.addTarget('Staging', {
      alarms: [errors],
      target: RollbackTarget.appConfig({ environment: staging }),
    });
  }
}

const app = new App();
new RollbackStack(app, 'QuickStart', {
  // Your account and Region: the alarms' and the AppConfig environments'.
  env: { account: '123456789012', region: 'us-east-1' },
});
