import { AppConfigClient, ListDeploymentsCommand } from '@aws-sdk/client-appconfig';
import type { CallTrace } from '../../shared/call-trace';
import { UnexpectedAnswerError } from '../../shared/errors';

export interface EnvironmentIds {
  readonly applicationId: string;
  readonly environmentId: string;
}

export interface DeploymentView {
  readonly deploymentNumber: number;
  readonly state: string;
  /** Epoch milliseconds; ListDeployments and GetDeployment both carry StartedAt. */
  readonly startedAt?: number;
  /** Epoch milliseconds, for COMPLETE deployments. */
  readonly completedAt?: number;
}

/**
 * The newest deployment of an environment. ListDeployments answers in
 * descending deployment number order and an environment runs one deployment
 * at a time, so the first item is the only one that can be in progress.
 */
export async function findLatestDeployment(
  client: AppConfigClient,
  trace: CallTrace,
  ids: EnvironmentIds,
): Promise<DeploymentView | undefined> {
  trace.add('appconfig:ListDeployments');
  const answer = await client.send(new ListDeploymentsCommand({
    ApplicationId: ids.applicationId,
    EnvironmentId: ids.environmentId,
    MaxResults: 1,
  }));
  const latest = answer.Items?.[0];
  if (!latest) {
    return undefined;
  }
  return deploymentView(latest, 'ListDeployments');
}

export function deploymentView(
  raw: { DeploymentNumber?: number; State?: string; StartedAt?: Date; CompletedAt?: Date },
  operation: string,
): DeploymentView {
  if (typeof raw.DeploymentNumber !== 'number' || typeof raw.State !== 'string') {
    throw new UnexpectedAnswerError(`AppConfig ${operation} returned a deployment without DeploymentNumber or State; the call was not retried`);
  }
  return {
    deploymentNumber: raw.DeploymentNumber,
    state: raw.State,
    startedAt: raw.StartedAt instanceof Date ? raw.StartedAt.getTime() : undefined,
    completedAt: raw.CompletedAt instanceof Date ? raw.CompletedAt.getTime() : undefined,
  };
}
