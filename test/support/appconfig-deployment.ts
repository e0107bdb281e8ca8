import { LocalAppConfig } from '../../local';

/**
 * Seeds local AppConfig with one application environment and its deployment
 * 1, started at `startedAt` on a 10-minute linear strategy with a 10-minute
 * bake: started a minute ago, it is still DEPLOYING throughout a test.
 */
export function seedAppConfigDeployment(appConfig: LocalAppConfig, applicationId: string, environmentId: string, startedAt: number): void {
  appConfig.state.seed({
    applications: [{ id: applicationId, environments: [{ id: environmentId }] }],
    deploymentStrategies: [{ id: 'linear10', deploymentDurationInMinutes: 10, growthFactor: 10, finalBakeTimeInMinutes: 10 }],
    deployments: [{ applicationId, environmentId, deploymentStrategyId: 'linear10', startedAt }],
  });
}
