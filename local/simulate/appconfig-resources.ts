import { IntrinsicResolver, TemplateResource } from './intrinsics';
import { SimulationState, StackAppConfigResources } from './state-file';
import { DeploymentStrategySeed } from '../appconfig-state';

/**
 * The AppConfig applications, environments and deployment strategies a stack
 * creates, with their ids: the id the state file gives a resource of the same
 * name, else one derived from the logical id. Ids chosen from the state are
 * written into `physicalIds`, which the stack's resolver reads, so rule
 * inputs carry the same ids.
 */
export function stackAppConfigResources(
  resources: Readonly<Record<string, TemplateResource>>,
  resolver: IntrinsicResolver,
  physicalIds: Record<string, string>,
  state: SimulationState,
): StackAppConfigResources {
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const stateApplications = state.appConfig?.applications ?? [];
  const name = (resource: TemplateResource) => String(resolver.resolve(resource.Properties?.Name) ?? '');

  const applications = ofType('AWS::AppConfig::Application').map(([logicalId, resource]) => {
    const declared = stateApplications.find((application) => application.name === name(resource) && application.id);
    if (declared?.id) physicalIds[logicalId] = declared.id;
    const environments: Array<{ id: string; name: string; logicalId: string }> = [];
    return { id: resolver.ref(logicalId), name: name(resource), logicalId, environments };
  });
  for (const [logicalId, resource] of ofType('AWS::AppConfig::Environment')) {
    const applicationId = String(resolver.resolve(resource.Properties?.ApplicationId));
    const application = applications.find((known) => known.id === applicationId);
    const declaredApplication = stateApplications.find((known) => known.id === applicationId || known.name === application?.name);
    const declared = declaredApplication?.environments?.find((environment) => environment.name === name(resource) && environment.id);
    if (declared?.id) physicalIds[logicalId] = declared.id;
    application?.environments.push({ id: resolver.ref(logicalId), name: name(resource), logicalId });
  }
  const deploymentStrategies = ofType('AWS::AppConfig::DeploymentStrategy').map(([logicalId, resource]) => {
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
    const strategy: DeploymentStrategySeed & { logicalId: string } = {
      id: resolver.ref(logicalId),
      name: properties.Name,
      deploymentDurationInMinutes: Number(properties.DeploymentDurationInMinutes),
      growthFactor: Number(properties.GrowthFactor),
      growthType: properties.GrowthType,
      finalBakeTimeInMinutes: Number(properties.FinalBakeTimeInMinutes ?? 0),
      logicalId,
    };
    return strategy;
  });
  return { applications, deploymentStrategies };
}
