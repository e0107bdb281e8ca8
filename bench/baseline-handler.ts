// The baseline every handler figure is measured against: what a team writes
// by hand. The same four SDK clients, imported and built at module load; it
// reads the latest deployment, stops it if it is in progress, and writes a
// record. No claims, so nothing stops a second call for the same deployment.
// The bench bundles it with the handler asset's esbuild settings, once as
// CommonJS and once as a single ES module file (bench/bundle-size.ts).
import { AppConfigClient, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CancelEnvironmentDeploymentCommand, ProtonClient } from '@aws-sdk/client-proton';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const appConfig = new AppConfigClient({});
const proton = new ProtonClient({});
const dynamo = new DynamoDBClient({});
const sns = new SNSClient({});

interface Input {
  target: { kind: string; applicationId: string; environmentId: string; environmentName: string };
  event: { id: string };
}

export const handler = async ({ target, event }: Input) => {
  let outcome = 'NO_ACTIVE_DEPLOYMENT';
  if (target.kind === 'appconfig') {
    const ids = { ApplicationId: target.applicationId, EnvironmentId: target.environmentId };
    const latest = (await appConfig.send(new ListDeploymentsCommand(ids))).Items?.[0];
    if (latest && ['DEPLOYING', 'BAKING', 'VALIDATING'].includes(latest.State ?? '')) {
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
