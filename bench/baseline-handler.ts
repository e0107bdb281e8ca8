// The baseline every handler figure is measured against: what a team writes
// by hand. The same five SDK clients, imported and built at module load; it
// reads the latest deployment and, beside it, whether the alarm's actions are
// enabled, stops the deployment if it is in progress, and writes a record. No
// claims, so nothing stops a second call for the same deployment.
// The bench bundles it with the handler asset's esbuild settings, once as
// CommonJS and once as a single ES module file (bench/bundle-size.ts).
import { AppConfigClient, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CancelEnvironmentDeploymentCommand, ProtonClient } from '@aws-sdk/client-proton';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const appConfig = new AppConfigClient({});
const proton = new ProtonClient({});
const dynamo = new DynamoDBClient({});
const sns = new SNSClient({});
const cloudWatch = new CloudWatchClient({});

interface Input {
  target: { kind: string; applicationId: string; environmentId: string; environmentName: string };
  event: { id: string; detail?: { alarmName?: string } };
}

export const handler = async ({ target, event }: Input) => {
  let outcome = 'NO_ACTIVE_DEPLOYMENT';
  if (target.kind === 'appconfig') {
    const ids = { ApplicationId: target.applicationId, EnvironmentId: target.environmentId };
    const [deployments, alarms] = await Promise.all([
      appConfig.send(new ListDeploymentsCommand(ids)),
      cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [event.detail?.alarmName ?? ''], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })),
    ]);
    const latest = deployments.Items?.[0];
    const paused = [...(alarms.MetricAlarms ?? []), ...(alarms.CompositeAlarms ?? [])].some((alarm) => alarm.ActionsEnabled === false);
    if (latest && !paused && ['DEPLOYING', 'BAKING', 'VALIDATING'].includes(latest.State ?? '')) {
      await appConfig.send(new StopDeploymentCommand({ ...ids, DeploymentNumber: latest.DeploymentNumber, AllowRevert: true }));
      outcome = 'ROLLED_BACK';
    }
  } else {
    await proton.send(new CancelEnvironmentDeploymentCommand({ environmentName: target.environmentName }));
    outcome = 'CANCEL_REQUESTED';
  }
  await dynamo.send(new PutItemCommand({
    TableName: process.env.ROLLBACK_LEDGER_TABLE,
    Item: { pk: { S: `EVENT#${event.id}` }, sk: { S: 'RECORD' }, outcome: { S: outcome } },
  }));
  if (process.env.ROLLBACK_NOTIFICATION_TOPIC_ARN) {
    await sns.send(new PublishCommand({ TopicArn: process.env.ROLLBACK_NOTIFICATION_TOPIC_ARN, Message: outcome }));
  }
  return { outcome };
};
