import { AppConfigClient, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import type { CallTrace } from '../call-trace';
import type { EnvironmentIds } from './find-latest-deployment';

/**
 * Stops or reverts one deployment and returns the state AppConfig reports.
 *
 * AllowRevert is always sent. The API reference says StopDeployment works
 * only on DEPLOYING deployments unless AllowRevert is supplied, and that with
 * it an in-progress deployment (DEPLOYING, BAKING, VALIDATING) becomes
 * ROLLED_BACK and a completed one becomes REVERTED. Without it a deployment in
 * its bake time could not be stopped at all.
 */
export async function stopDeployment(
  client: AppConfigClient,
  trace: CallTrace,
  ids: EnvironmentIds,
  deploymentNumber: number,
): Promise<string | undefined> {
  trace.add('appconfig:StopDeployment');
  const answer = await client.send(new StopDeploymentCommand({
    ApplicationId: ids.applicationId,
    EnvironmentId: ids.environmentId,
    DeploymentNumber: deploymentNumber,
    AllowRevert: true,
  }));
  return answer.State;
}
