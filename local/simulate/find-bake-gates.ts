import { AssemblyStack } from './cloud-assembly';
import { assetDir, functionEnvironment } from './find-rollback-rules';
import { IntrinsicResolver } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';
import { BAKE_GATE_RESOURCE_TYPE } from '../../src/contract';

/** One of the gate's two functions (the bundle's `bake-gate.mjs`), as the assembly deploys it. */
export interface BakeGateFunction {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly arn: string;
  /** The bundled entry file, `<asset>/bake-gate.mjs`. */
  readonly entry: string;
  /** `onEvent` or `isComplete`, from the function's Handler. */
  readonly exportName: string;
  readonly environment: Record<string, string>;
}

/** A bake gate in a guarded stack, with the functions its service token leads to. */
export interface AssemblyBakeGate {
  /** The guarded stack, which holds the gate. */
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  /** The gate's properties, resolved, as CloudFormation hands them to the provider. */
  readonly properties: Record<string, unknown>;
  readonly onEvent: BakeGateFunction;
  readonly isComplete: BakeGateFunction;
}

/**
 * The bake gates of an assembly. A gate's ServiceToken names the CDK Provider
 * framework's entry function by ARN; the framework's functions carry the
 * user functions' ARNs in USER_ON_EVENT_FUNCTION_ARN and
 * USER_IS_COMPLETE_FUNCTION_ARN (aws-cdk-lib custom_resources, provider
 * framework runtime), which are the gate's onEvent and isComplete.
 */
export function findBakeGates(resolvers: ReadonlyMap<AssemblyStack, IntrinsicResolver>): AssemblyBakeGate[] {
  type Found = { stack: AssemblyStack; logicalId: string; environment: Record<string, string>; handler: string };
  const functions = new Map<string, Found>();
  for (const [stack, resolver] of resolvers) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      functions.set(resolver.getAtt(logicalId, 'Arn'), {
        stack, logicalId, environment: functionEnvironment(resolver, resource), handler: String(resource.Properties?.Handler ?? ''),
      });
    }
  }
  const gates: AssemblyBakeGate[] = [];
  for (const [stack, resolver] of resolvers) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== BAKE_GATE_RESOURCE_TYPE) continue;
      const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      const where = `bake gate ${logicalId} of stack ${stack.environment.stackName}`;
      const framework = functions.get(String(properties.ServiceToken));
      if (!framework) {
        throw new SimulationInputError(`${where} names the service token ${String(properties.ServiceToken)}, which is no function of the assembly: synthesize the stack that holds its AlarmRollback in the same app`);
      }
      const user = (variable: string): BakeGateFunction => {
        const arn = framework.environment[variable];
        const found = arn === undefined ? undefined : functions.get(arn);
        if (!found) {
          throw new SimulationInputError(`${where}: its provider function ${framework.logicalId} has no ${variable} of the assembly; it was not made by the stack target's bake option`);
        }
        const [file, exportName] = found.handler.split('.');
        const resourceOf = found.stack.template.Resources![found.logicalId];
        const dir = assetDir(found.stack, found.logicalId, resourceOf, `${file}.mjs`, 'the bake gate function');
        return { stack: found.stack, logicalId: found.logicalId, arn: arn!, entry: `${dir}/${file}.mjs`, exportName, environment: found.environment };
      };
      gates.push({ stack, logicalId, properties, onEvent: user('USER_ON_EVENT_FUNCTION_ARN'), isComplete: user('USER_IS_COMPLETE_FUNCTION_ARN') });
    }
  }
  return gates;
}
