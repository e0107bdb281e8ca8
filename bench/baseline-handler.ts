// The baseline the handler bundle is measured against: the same four SDK
// clients, imported the ordinary way, bundled as plain CommonJS.
import { AppConfigClient, GetDeploymentCommand, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CancelEnvironmentDeploymentCommand, GetEnvironmentCommand, ProtonClient } from '@aws-sdk/client-proton';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const appConfig = new AppConfigClient({});
const proton = new ProtonClient({});
const dynamo = new DynamoDBClient({});
const sns = new SNSClient({});

export const handler = async (event: { applicationId: string; environmentId: string; deploymentNumber: number }) => {
  const environment = { ApplicationId: event.applicationId, EnvironmentId: event.environmentId };
  await appConfig.send(new ListDeploymentsCommand(environment));
  await appConfig.send(new GetDeploymentCommand({ ...environment, DeploymentNumber: event.deploymentNumber }));
  await appConfig.send(new StopDeploymentCommand({ ...environment, DeploymentNumber: event.deploymentNumber }));
  await proton.send(new GetEnvironmentCommand({ name: 'prod' }));
  await proton.send(new CancelEnvironmentDeploymentCommand({ environmentName: 'prod' }));
  await dynamo.send(new PutItemCommand({ TableName: 'ledger', Item: {} }));
  await sns.send(new PublishCommand({ TopicArn: 'arn', Message: '{}' }));
};
