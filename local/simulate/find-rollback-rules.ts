import { existsSync } from 'fs';
import { join } from 'path';
import { AssemblyStack } from './cloud-assembly';
import { templateRule, TemplateRule } from './event-buses';
import { buildTargetInput, TargetInputSettings } from './input-transformer';
import { IntrinsicResolver, TemplateResource } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';
import { HandlerEnv, Ledger, TargetInput } from '../../src/contract';
import { CfnTableResource } from '../dynamodb';

/** A rollback handler function of the assembly: one per AlarmRollback. */
export interface RollbackFunction {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly arn: string;
  /** Its environment variables, intrinsics resolved. */
  readonly environment: Record<string, string>;
  /** The asset folder holding the bundled handler (index.mjs). */
  readonly assetDir: string;
  /** The ledger table's name and its resource (or the contract's key schema when the table is imported). */
  readonly ledgerTable: { readonly name: string; readonly resource: CfnTableResource };
  /** Lambda's asynchronous retries of a failed invocation, from the function's EventInvokeConfig. */
  readonly retryAttempts: number;
}

/** An EventBridge rule that sends alarm events to a rollback handler. */
export interface RollbackRule extends TemplateRule {
  /** The event bus, as `EventBusName` names it (a name or an ARN); `default` when absent. */
  readonly eventBusName: string;
  readonly targetId: string;
  readonly inputSettings: TargetInputSettings;
  readonly function: RollbackFunction;
  /** The target the rule's input names (built from the rule's input with an empty event). */
  readonly target: TargetInput;
}

/**
 * The library's rules in one stack: `AWS::Events::Rule` resources with a
 * target that is a function whose environment has the ledger table variable.
 */
export function findRollbackRules(stack: AssemblyStack, resolver: IntrinsicResolver): RollbackRule[] {
  const resources = stack.template.Resources ?? {};
  const functions = new Map<string, RollbackFunction>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = resource.Properties?.Environment?.Variables;
    if (!variables || variables[HandlerEnv.LEDGER_TABLE] === undefined) continue;
    const fn = rollbackFunction(stack, resolver, logicalId, resource);
    functions.set(fn.arn, fn);
  }

  const rules: RollbackRule[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const properties = resource.Properties ?? {};
    for (const declared of properties.Targets ?? []) {
      const target = resolver.resolve(declared) as TargetInputSettings & { Arn: string; Id: string };
      const fn = functions.get(target.Arn);
      if (!fn) continue;
      const rule = templateRule(stack, resolver, logicalId, resource);
      const inputSettings: TargetInputSettings = {
        Input: target.Input,
        InputPath: target.InputPath,
        InputTransformer: target.InputTransformer,
      };
      const input = buildTargetInput(inputSettings, {}, { ruleArn: rule.arn, ruleName: rule.name }) as { target?: TargetInput };
      if (!input?.target?.name) {
        throw new SimulationInputError(`rule ${logicalId} of stack ${stack.environment.stackName} sends the rollback handler no target: it was not made by AlarmRollback.addTarget`);
      }
      rules.push({
        ...rule,
        eventBusName: String(resolver.resolve(properties.EventBusName) ?? 'default'),
        targetId: target.Id,
        inputSettings,
        function: fn,
        target: input.target,
      });
    }
  }
  return rules;
}

function rollbackFunction(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string, resource: TemplateResource): RollbackFunction {
  const environment = functionEnvironment(resolver, resource);
  const tableName = environment[HandlerEnv.LEDGER_TABLE];
  return {
    stack,
    logicalId,
    arn: resolver.getAtt(logicalId, 'Arn'),
    environment,
    assetDir: assetDir(stack, logicalId, resource, 'index.mjs', 'the rollback handler'),
    ledgerTable: { name: tableName, resource: ledgerResource(stack, resolver, tableName) },
    retryAttempts: retryAttempts(stack, resolver, logicalId),
  };
}

/** The function's environment variables from its template, resolved, as text. */
export function functionEnvironment(resolver: IntrinsicResolver, resource: TemplateResource): Record<string, string> {
  const variables = resolver.resolve(resource.Properties?.Environment?.Variables) ?? {};
  return Object.fromEntries(Object.entries(variables as Record<string, unknown>).map(([name, value]) => [name, String(value)]));
}

/**
 * The asset folder holding the bundled `entry`: the function's S3Key
 * (`<hash>.zip`) looked up in the asset manifests, else its
 * `aws:asset:path` metadata. `what` names the function in the error.
 */
export function assetDir(stack: AssemblyStack, logicalId: string, resource: TemplateResource, entry: string, what: string): string {
  const key = resource.Properties?.Code?.S3Key;
  const metadataPath = resource.Metadata?.['aws:asset:path'];
  const candidates = [
    typeof key === 'string' ? stack.fileAssets.get(key) : undefined,
    typeof key === 'string' ? stack.fileAssets.get(key.replace(/\.zip$/, '')) : undefined,
    typeof metadataPath === 'string' ? join(stack.directory, metadataPath) : undefined,
  ].filter((candidate): candidate is string => candidate !== undefined);
  const found = candidates.find((candidate) => existsSync(join(candidate, entry)));
  if (!found) {
    throw new SimulationInputError(`${what} ${logicalId} of stack ${stack.environment.stackName} has no bundled code (asset folder with ${entry}) in the assembly: synthesize with \`cdk synth\` without --no-staging`);
  }
  return found;
}

/** The table the ledger variable names; an imported table gets the contract's key schema. */
function ledgerResource(stack: AssemblyStack, resolver: IntrinsicResolver, tableName: string): CfnTableResource {
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    if ((resource.Type === 'AWS::DynamoDB::Table' || resource.Type === 'AWS::DynamoDB::GlobalTable') && resolver.ref(logicalId) === tableName) {
      return { Type: resource.Type, Properties: resolver.resolve(resource.Properties ?? {}) };
    }
  }
  const string = (name: string) => ({ AttributeName: name, AttributeType: 'S' });
  return {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      KeySchema: [{ AttributeName: Ledger.PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: Ledger.SORT_KEY, KeyType: 'RANGE' }],
      AttributeDefinitions: [Ledger.PARTITION_KEY, Ledger.SORT_KEY, Ledger.OUTCOME_INDEX_PARTITION_KEY, Ledger.OUTCOME_INDEX_SORT_KEY].map(string),
      GlobalSecondaryIndexes: [{
        IndexName: Ledger.OUTCOME_INDEX,
        KeySchema: [{ AttributeName: Ledger.OUTCOME_INDEX_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: Ledger.OUTCOME_INDEX_SORT_KEY, KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
    },
  };
}

/** MaximumRetryAttempts of the function's AWS::Lambda::EventInvokeConfig; Lambda's default is 2. */
function retryAttempts(stack: AssemblyStack, resolver: IntrinsicResolver, functionLogicalId: string): number {
  const functionName = resolver.ref(functionLogicalId);
  for (const resource of Object.values(stack.template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    if (properties.FunctionName === functionName && typeof properties.MaximumRetryAttempts === 'number') {
      return properties.MaximumRetryAttempts;
    }
  }
  return 2;
}
