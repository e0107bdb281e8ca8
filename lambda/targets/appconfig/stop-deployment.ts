import { AppConfigClient, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import type { EnvironmentIds } from './find-latest-deployment';
import type { CallTrace } from '../../shared/call-trace';
import { HeldSend, sendWhenAllowed } from '../../shared/send-when-allowed';

/**
 * Stops or reverts one deployment once `allowed` resolves true, and returns
 * the state AppConfig reports.
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
  allowed: Promise<boolean>,
): Promise<HeldSend<string | undefined>> {
  const command = new StopDeploymentCommand({
    ApplicationId: ids.applicationId,
    EnvironmentId: ids.environmentId,
    DeploymentNumber: deploymentNumber,
    AllowRevert: true,
  });
  const traced = allowed.then((ok) => {
    if (ok) trace.add('appconfig:StopDeployment');
    return ok;
  });
  const stop = await sendWhenAllowed(client, command, traced, () => client.send(command));
  return stop.sent ? { sent: true, answer: stop.answer.State } : stop;
}
