import { CancelEnvironmentDeploymentCommand, ProtonClient } from '@aws-sdk/client-proton';
import { EnvironmentView, environmentView } from './get-environment';
import type { CallTrace } from '../../shared/call-trace';
import { HeldSend, sendWhenAllowed } from '../../shared/send-when-allowed';

/**
 * Asks Proton to cancel the environment's IN_PROGRESS deployment once
 * `allowed` resolves true; returns the status Proton reports.
 */
export async function cancelEnvironmentDeployment(
  client: ProtonClient,
  trace: CallTrace,
  environmentName: string,
  allowed: Promise<boolean>,
): Promise<HeldSend<EnvironmentView>> {
  const command = new CancelEnvironmentDeploymentCommand({ environmentName });
  const traced = allowed.then((ok) => {
    if (ok) trace.add('proton:CancelEnvironmentDeployment');
    return ok;
  });
  const cancel = await sendWhenAllowed(client, command, traced, () => client.send(command));
  return cancel.sent ? { sent: true, answer: environmentView(cancel.answer.environment, 'CancelEnvironmentDeployment') } : cancel;
}
