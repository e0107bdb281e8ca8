import { stackAppConfigResources } from './appconfig-resources';
import { AssemblyStack, CloudAssembly, readCloudAssembly } from './cloud-assembly';
import { EventBusModel, findEventBuses } from './event-buses';
import { AssemblyExtension, AssemblyExtensionAssociation, findExtensions } from './find-extensions';
import { findRollbackRules, RollbackRule } from './find-rollback-rules';
import { IntrinsicResolver } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';
import { SimulationState, StackAppConfigResources } from './state-file';

/** A cloud assembly as if deployed: every stack's values resolved, its rollback rules and AppConfig resources found. */
export interface ResolvedAssembly {
  readonly assembly: CloudAssembly;
  /** One resolver per stack; cross-stack `Fn::ImportValue` reads the other stacks' exports through them. */
  readonly resolvers: ReadonlyMap<AssemblyStack, IntrinsicResolver>;
  /** The library's rules, in stack order. */
  readonly rules: readonly RollbackRule[];
  /** The AppConfig applications, environments and strategies the stacks create, with their simulated ids. */
  readonly appConfigResources: StackAppConfigResources;
  /** The alarm-state check's AppConfig extensions and their associations, in stack order. */
  readonly extensions: readonly AssemblyExtension[];
  readonly extensionAssociations: readonly AssemblyExtensionAssociation[];
  /** The event buses of every stack's account and Region, their policies, and the rules that forward between them. */
  readonly buses: EventBusModel;
}

/**
 * Reads an assembly and resolves it the way a deployment would: the ids the
 * state file gives (or derived ones) for the AppConfig resources the stacks
 * create, then each stack's rollback rules. An assembly without the
 * library's rules is refused, since there would be nothing to simulate.
 */
export function resolveAssembly(directory: string, state: SimulationState = {}): ResolvedAssembly {
  const assembly = readCloudAssembly(directory);
  const resolvers = new Map<AssemblyStack, IntrinsicResolver>();
  const exports = (name: string): string | undefined => {
    for (const [stack, resolver] of resolvers) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && resolver.resolve(output.Export.Name) === name) return String(resolver.resolve(output.Value));
      }
    }
    return undefined;
  };
  const applications: StackAppConfigResources['applications'][number][] = [];
  const deploymentStrategies: StackAppConfigResources['deploymentStrategies'][number][] = [];
  for (const stack of assembly.stacks) {
    // Filled by stackAppConfigResources, so a Ref to an application resolves to the id simulate gave it.
    const physicalIds: Record<string, string> = {};
    const resolver = new IntrinsicResolver(stack.template, stack.environment, { physicalIds, exports });
    resolvers.set(stack, resolver);
    const found = stackAppConfigResources(stack.template.Resources ?? {}, resolver, physicalIds, state);
    applications.push(...found.applications);
    deploymentStrategies.push(...found.deploymentStrategies);
  }
  const rules = [...resolvers].flatMap(([stack, resolver]) => findRollbackRules(stack, resolver));
  if (rules.length === 0) {
    const names = assembly.stacks.map((stack) => stack.environment.stackName).join(', ') || 'none';
    throw new SimulationInputError(`the assembly at ${directory} has no AlarmRollback rules (stacks: ${names}): synthesize an app that calls AlarmRollback.addTarget`);
  }
  const found = [...resolvers].map(([stack, resolver]) => findExtensions(stack, resolver));
  return {
    assembly,
    resolvers,
    rules,
    appConfigResources: { applications, deploymentStrategies },
    extensions: found.flatMap((f) => f.extensions),
    extensionAssociations: found.flatMap((f) => f.associations),
    buses: findEventBuses(resolvers),
  };
}
