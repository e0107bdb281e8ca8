import { GetEnvironmentCommand, ProtonClient } from '@aws-sdk/client-proton';
import type { CallTrace } from '../../shared/call-trace';
import { UnexpectedAnswerError } from '../../shared/errors';

export interface EnvironmentView {
  readonly deploymentStatus: string;
  /** Identifies the latest deployment attempt, so it can be claimed once. */
  readonly deploymentId: string;
  /** Epoch milliseconds of the latest deployment attempt (`lastDeploymentAttemptedAt`), when Proton reports it. */
  readonly attemptedAt?: number;
}

export async function getEnvironment(client: ProtonClient, trace: CallTrace, environmentName: string): Promise<EnvironmentView> {
  trace.add('proton:GetEnvironment');
  const answer = await client.send(new GetEnvironmentCommand({ name: environmentName }));
  return environmentView(answer.environment, 'GetEnvironment');
}

export function environmentView(
  environment: { deploymentStatus?: string; lastAttemptedDeploymentId?: string; lastDeploymentAttemptedAt?: Date } | undefined,
  operation: string,
): EnvironmentView {
  if (!environment || typeof environment.deploymentStatus !== 'string') {
    throw new UnexpectedAnswerError(`Proton ${operation} returned an environment without deploymentStatus`);
  }
  const attemptedAt = environment.lastDeploymentAttemptedAt instanceof Date ? environment.lastDeploymentAttemptedAt.getTime() : undefined;
  // Environments created before Proton kept deployment ids only carry the attempt time.
  const deploymentId = environment.lastAttemptedDeploymentId
    ?? (attemptedAt !== undefined ? new Date(attemptedAt).toISOString() : 'unknown');
  return { deploymentStatus: environment.deploymentStatus, deploymentId, attemptedAt };
}
