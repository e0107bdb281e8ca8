import { CancelEnvironmentDeploymentCommand, ProtonClient } from '@aws-sdk/client-proton';
import type { CallTrace } from '../call-trace';
import { EnvironmentView, environmentView } from './get-environment';

/** Asks Proton to cancel the environment's IN_PROGRESS deployment; returns the status Proton reports. */
export async function cancelEnvironmentDeployment(
  client: ProtonClient,
  trace: CallTrace,
  environmentName: string,
): Promise<EnvironmentView> {
  trace.add('proton:CancelEnvironmentDeployment');
  const answer = await client.send(new CancelEnvironmentDeploymentCommand({ environmentName }));
  return environmentView(answer.environment, 'CancelEnvironmentDeployment');
}
