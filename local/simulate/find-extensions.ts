import { join } from 'path';
import { AssemblyStack } from './cloud-assembly';
import { assetDir, functionEnvironment } from './find-rollback-rules';
import { IntrinsicResolver, TemplateResource } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';
import { LocalActionPoint, LocalExtensionAction } from '../appconfig-extensions';

/** The file and export of the alarm-state check in the handler asset (handler string `alarm-state.handler`). */
export const ALARM_STATE_ENTRY = 'alarm-state.mjs';

const ACTION_POINTS: readonly LocalActionPoint[] = ['PRE_START_DEPLOYMENT', 'AT_DEPLOYMENT_TICK'];

/** A function an extension action invokes, with what simulate needs to run it. */
export interface ExtensionFunction {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly arn: string;
  /** Its environment variables, intrinsics resolved. */
  readonly environment: Record<string, string>;
  /** The bundled entry to load: `<asset folder>/alarm-state.mjs`. */
  readonly entry: string;
}

/** An `AWS::AppConfig::Extension` of the assembly, the actions simulate runs and the functions they invoke. */
export interface AssemblyExtension {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly name: string;
  readonly actions: Partial<Record<LocalActionPoint, LocalExtensionAction[]>>;
  readonly parameters: Record<string, { required: boolean }>;
  readonly functions: ExtensionFunction[];
}

/** An `AWS::AppConfig::ExtensionAssociation` of the assembly, resolved. */
export interface AssemblyExtensionAssociation {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  /** The logical id of the extension in the same stack. */
  readonly extensionLogicalId: string;
  /** The application or environment ARN, with simulate's ids. */
  readonly resourceArn: string;
  readonly parameters: Record<string, string>;
}

/**
 * The extensions of one stack whose PRE_START_DEPLOYMENT or
 * AT_DEPLOYMENT_TICK actions invoke a function of the stack, and the
 * associations of those extensions. Actions on other points (asynchronous
 * ON_* ones) and functions outside the stack are left out: simulate runs
 * only what the library deploys.
 */
export function findExtensions(stack: AssemblyStack, resolver: IntrinsicResolver): {
  extensions: AssemblyExtension[];
  associations: AssemblyExtensionAssociation[];
} {
  const resources = stack.template.Resources ?? {};
  const functionsByArn = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Lambda::Function') functionsByArn.set(resolver.getAtt(logicalId, 'Arn'), logicalId);
  }

  const extensions: AssemblyExtension[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::AppConfig::Extension') continue;
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
    const actions: AssemblyExtension['actions'] = {};
    const functions = new Map<string, ExtensionFunction>();
    for (const point of ACTION_POINTS) {
      for (const action of (properties.Actions?.[point] ?? []) as Record<string, string>[]) {
        // Actions is a JSON property of CfnExtension, so CDK passes its keys
        // through as written; CloudFormation's Action has Name, Uri, RoleArn.
        if (action.Uri === undefined) {
          throw new SimulationInputError(`extension ${logicalId} of stack ${stack.environment.stackName} has a ${point} action without Uri`
            + ` (keys: ${Object.keys(action).join(', ')}): CloudFormation's extension Action properties are Name, Uri, RoleArn and Description`);
        }
        const functionLogicalId = functionsByArn.get(String(action.Uri));
        if (!functionLogicalId) continue;
        (actions[point] ??= []).push({ name: String(action.Name ?? point), uri: String(action.Uri), roleArn: action.RoleArn });
        if (!functions.has(functionLogicalId)) {
          functions.set(functionLogicalId, extensionFunction(stack, resolver, functionLogicalId, resources[functionLogicalId]));
        }
      }
    }
    if (Object.keys(actions).length === 0) continue;
    const parameters: AssemblyExtension['parameters'] = {};
    for (const [name, declared] of Object.entries((properties.Parameters ?? {}) as Record<string, { Required?: boolean }>)) {
      parameters[name] = { required: declared?.Required === true };
    }
    extensions.push({
      stack,
      logicalId,
      name: String(properties.Name ?? resolver.physicalName(logicalId, resource)),
      actions,
      parameters,
      functions: [...functions.values()],
    });
  }

  const associations: AssemblyExtensionAssociation[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::AppConfig::ExtensionAssociation') continue;
    const extensionLogicalId = referencedLogicalId(resource.Properties?.ExtensionIdentifier);
    if (!extensionLogicalId || !extensions.some((extension) => extension.logicalId === extensionLogicalId)) continue;
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
    const parameters: Record<string, string> = {};
    for (const [name, value] of Object.entries((properties.Parameters ?? {}) as Record<string, unknown>)) parameters[name] = String(value);
    associations.push({ stack, logicalId, extensionLogicalId, resourceArn: String(properties.ResourceIdentifier), parameters });
  }
  return { extensions, associations };
}

/** The logical id a `Ref` or `Fn::GetAtt` names. */
function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

function extensionFunction(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string, resource: TemplateResource): ExtensionFunction {
  const found = assetDir(stack, logicalId, resource, ALARM_STATE_ENTRY, 'the alarm-state check');
  return {
    stack,
    logicalId,
    arn: resolver.getAtt(logicalId, 'Arn'),
    environment: functionEnvironment(resolver, resource),
    entry: join(found, ALARM_STATE_ENTRY),
  };
}
