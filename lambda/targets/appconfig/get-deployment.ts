import { AppConfigClient, GetDeploymentCommand } from '@aws-sdk/client-appconfig';
import { DeploymentView, EnvironmentIds, deploymentView } from './find-latest-deployment';
import type { CallTrace } from '../../shared/call-trace';

/** Re-reads one deployment, to classify a stop that AppConfig refused. */
export async function getDeployment(
  client: AppConfigClient,
  trace: CallTrace,
  ids: EnvironmentIds,
  deploymentNumber: number,
): Promise<DeploymentView> {
  trace.add('appconfig:GetDeployment');
  const answer = await client.send(new GetDeploymentCommand({
    ApplicationId: ids.applicationId,
    EnvironmentId: ids.environmentId,
    DeploymentNumber: deploymentNumber,
  }));
  return deploymentView(answer, 'GetDeployment');
}
