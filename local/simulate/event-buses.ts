import { PolicyStatement } from './bus-policy';
import { AssemblyStack } from './cloud-assembly';
import { IntrinsicResolver, partitionOf, TemplateResource } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';

/**
 * The event buses of an assembly as deployed: every stack's account and
 * Region has its default bus, and the stacks' `AWS::Events::EventBus`
 * resources add custom ones. Every `AWS::Events::Rule` is on the bus of its
 * own stack's account and Region that `EventBusName` names (a name or an
 * ARN; absent means `default`, "AWS::Events::Rule", CloudFormation User
 * Guide). A rule whose target is an event bus ARN forwards events there.
 */
export interface EventBusModel {
  /** Every bus a stack's rule, policy or target names, by ARN. */
  readonly buses: ReadonlyMap<string, SimulatedBus>;
  readonly forwardingRules: readonly ForwardingRule[];
}

export interface SimulatedBus {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** The bus's resource policy: its `Policy` property and the `AWS::Events::EventBusPolicy` statements on it. */
  readonly policy: readonly PolicyStatement[];
  /** True when a stack creates it or it is the default bus of a stack's account and Region. */
  readonly inAssembly: boolean;
}

/** What simulate reads of any `AWS::Events::Rule`, whatever its targets. */
export interface TemplateRule {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  /** The construct path (from the manifest, else the resource metadata), else the logical id. */
  readonly path: string;
  readonly name: string;
  readonly arn: string;
  readonly enabled: boolean;
  /** The ARN of the bus the rule is on, in the rule's stack's account and Region. */
  readonly busArn: string;
  /** The event pattern, intrinsics resolved. */
  readonly eventPattern: Record<string, unknown>;
}

/** A rule whose target is an event bus: EventBridge puts the matching event, unchanged, on that bus. */
export interface ForwardingRule extends TemplateRule {
  readonly targetId: string;
  /** The ARN of the bus the rule sends to. */
  readonly targetBusArn: string;
  readonly roleArn?: string;
  /** The role's identity policy statements, when the role is a resource of the rule's stack. */
  readonly role?: RolePolicies;
  /** The SQS queue of `DeadLetterConfig`, where EventBridge sends an event it could not put. */
  readonly deadLetterArn?: string;
  readonly retryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
}

/** What the template says a role may do and who may assume it. */
export interface RolePolicies {
  readonly logicalId: string;
  readonly statements: readonly PolicyStatement[];
  /** Managed policies attached by ARN, which simulate cannot read. */
  readonly managedPolicyArns: readonly string[];
  /** Whether its trust policy lets events.amazonaws.com assume it. */
  readonly trustsEventBridge: boolean;
}

/** The ARN of the default bus of an account and Region. */
export function defaultBusArn(account: string, region: string): string {
  return `arn:${partitionOf(region)}:events:${region}:${account}:event-bus/default`;
}

/** The ARN of the bus an `EventBusName` (name or ARN, absent for default) names in a stack. */
export function busArnOf(stack: AssemblyStack, declared: unknown): string {
  const value = declared === undefined || declared === null || declared === '' ? 'default' : String(declared);
  if (value.startsWith('arn:')) return value;
  const { account, region } = stack.environment;
  return `arn:${partitionOf(region)}:events:${region}:${account}:event-bus/${value}`;
}

/** The account, Region and name an event bus ARN names, or undefined for text that is not one. */
export function parseBusArn(arn: string): { account: string; region: string; name: string } | undefined {
  const match = /^arn:[^:]+:events:([^:]+):(\d{12}):event-bus\/(.+)$/.exec(arn);
  return match ? { region: match[1], account: match[2], name: match[3] } : undefined;
}

/** The fields every `AWS::Events::Rule` of a stack has, intrinsics resolved. */
export function templateRule(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string, resource: TemplateResource): TemplateRule {
  const properties = resource.Properties ?? {};
  const rawPattern = resolver.resolve(properties.EventPattern);
  const eventPattern = typeof rawPattern === 'string' ? JSON.parse(rawPattern) : rawPattern;
  return {
    stack,
    logicalId,
    path: stack.constructPaths.get(logicalId) ?? String(resource.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/\/Resource$/, ''),
    name: resolver.physicalName(logicalId, resource),
    arn: resolver.getAtt(logicalId, 'Arn'),
    enabled: (properties.State ?? 'ENABLED') === 'ENABLED',
    busArn: busArnOf(stack, resolver.resolve(properties.EventBusName)),
    eventPattern: eventPattern ?? {},
  };
}

/** Reads the buses, bus policies and forwarding rules of every stack. */
export function findEventBuses(resolvers: ReadonlyMap<AssemblyStack, IntrinsicResolver>): EventBusModel {
  const buses = new Map<string, { arn: string; name: string; account: string; region: string; policy: PolicyStatement[]; inAssembly: boolean }>();
  const bus = (arn: string, inAssembly: boolean) => {
    let found = buses.get(arn);
    if (!found) {
      const parts = parseBusArn(arn);
      if (!parts) throw new SimulationInputError(`${arn} is not an event bus ARN (arn:<partition>:events:<region>:<account>:event-bus/<name>)`);
      found = { arn, ...parts, policy: [], inAssembly };
      buses.set(arn, found);
    }
    if (inAssembly) found.inAssembly = true;
    return found;
  };
  for (const stack of resolvers.keys()) bus(defaultBusArn(stack.environment.account, stack.environment.region), true);

  const forwardingRules: ForwardingRule[] = [];
  for (const [stack, resolver] of resolvers) {
    const resources = stack.template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const where = `${resource.Type} ${logicalId} of stack ${stack.environment.stackName}`;
      if (resource.Type === 'AWS::Events::EventBus') {
        const created = bus(resolver.getAtt(logicalId, 'Arn'), true);
        const policy = resolver.resolve(resource.Properties?.Policy);
        created.policy.push(...policyStatements(typeof policy === 'string' ? parseJson(policy, `the Policy of ${where}`) : policy, where));
      } else if (resource.Type === 'AWS::Events::EventBusPolicy') {
        const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
        const target = bus(busArnOf(stack, properties.EventBusName), false);
        target.policy.push(...busPolicyStatements(properties, target.arn, resolver.partition, where));
      } else if (resource.Type === 'AWS::Events::Rule') {
        forwardingRules.push(...forwardingRulesOf(stack, resolver, logicalId, resource, bus));
      }
    }
  }
  return { buses, forwardingRules };
}

function forwardingRulesOf(
  stack: AssemblyStack,
  resolver: IntrinsicResolver,
  logicalId: string,
  resource: TemplateResource,
  bus: (arn: string, inAssembly: boolean) => unknown,
): ForwardingRule[] {
  const properties = resource.Properties ?? {};
  const rules: ForwardingRule[] = [];
  for (const declared of properties.Targets ?? []) {
    const target = resolver.resolve(declared) as { Arn: string; Id: string; RoleArn?: string; DeadLetterConfig?: { Arn?: string }; RetryPolicy?: ForwardingRule['retryPolicy'] };
    if (typeof target.Arn !== 'string' || !parseBusArn(target.Arn)) continue;
    bus(target.Arn, false);
    rules.push({
      ...templateRule(stack, resolver, logicalId, resource),
      targetId: target.Id,
      targetBusArn: target.Arn,
      ...(target.RoleArn ? { roleArn: target.RoleArn, role: rolePolicies(stack, resolver, target.RoleArn) } : {}),
      ...(target.DeadLetterConfig?.Arn ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
      ...(target.RetryPolicy ? { retryPolicy: target.RetryPolicy } : {}),
    });
  }
  return rules;
}

/**
 * The role's inline policies and the `AWS::IAM::Policy` resources attached
 * to it in the rule's stack; undefined when no resource of the stack is that
 * role (an imported role, whose policies simulate cannot read).
 */
function rolePolicies(stack: AssemblyStack, resolver: IntrinsicResolver, roleArn: string): RolePolicies | undefined {
  const resources = stack.template.Resources ?? {};
  const roleId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && resolver.getAtt(id, 'Arn') === roleArn);
  if (!roleId) return undefined;
  const role = resolver.resolve(resources[roleId].Properties ?? {}) as Record<string, any>;
  const roleName = resolver.ref(roleId);
  const statements: PolicyStatement[] = [];
  for (const inline of role.Policies ?? []) statements.push(...policyStatements(inline.PolicyDocument, `role ${roleId}`));
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::RolePolicy') continue;
    const policy = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
    const attached = resource.Type === 'AWS::IAM::RolePolicy' ? policy.RoleName === roleName : (policy.Roles ?? []).includes(roleName);
    if (attached) statements.push(...policyStatements(policy.PolicyDocument, `${resource.Type} ${id}`));
  }
  const trust = policyStatements(role.AssumeRolePolicyDocument, `role ${roleId}`);
  const trustsEventBridge = trust.some((statement) => statement.Effect === 'Allow'
    && isObject(statement.Principal)
    && [statement.Principal.Service].flat().includes('events.amazonaws.com')
    && [statement.Action].flat().some((action) => action === 'sts:AssumeRole' || action === 'sts:*' || action === '*'));
  return { logicalId: roleId, statements, managedPolicyArns: (role.ManagedPolicyArns ?? []).map(String), trustsEventBridge };
}

/**
 * An `AWS::Events::EventBusPolicy`'s statement: `Statement` (a full IAM
 * statement), or the older `Action`, `Principal` (an account id or `*`) and
 * `Condition` (`{ Type, Key, Value }`) properties, which PutPermission turns
 * into one ("PutPermission", EventBridge API Reference).
 */
function busPolicyStatements(properties: Record<string, any>, busArn: string, partition: string, where: string): PolicyStatement[] {
  if (properties.Statement !== undefined) {
    const statement = typeof properties.Statement === 'string' ? parseJson(properties.Statement, `the Statement of ${where}`) : properties.Statement;
    return policyStatements({ Statement: statement }, where).map((s) => ({ Sid: properties.StatementId, ...s }));
  }
  if (properties.Principal === undefined) {
    throw new SimulationInputError(`${where} has neither Statement nor Principal: give one (see "AWS::Events::EventBusPolicy" in the CloudFormation User Guide)`);
  }
  const principal = String(properties.Principal);
  const condition = properties.Condition;
  return [{
    Sid: properties.StatementId,
    Effect: 'Allow',
    Principal: principal === '*' ? '*' : { AWS: `arn:${partition}:iam::${principal}:root` },
    Action: properties.Action ?? 'events:PutEvents',
    Resource: busArn,
    ...(isObject(condition) ? { Condition: { [String(condition.Type)]: { [String(condition.Key)]: condition.Value } } } : {}),
  }];
}

/** The statements of a policy document (one statement or a list). */
function policyStatements(document: unknown, where: string): PolicyStatement[] {
  if (document === undefined || document === null) return [];
  if (!isObject(document)) throw new SimulationInputError(`the policy of ${where} is not a JSON object: ${JSON.stringify(document)}`);
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  return statements.map((statement) => {
    if (!isObject(statement)) throw new SimulationInputError(`a statement of the policy of ${where} is not a JSON object: ${JSON.stringify(statement)}`);
    return statement;
  });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${what} is not valid JSON (${(error as Error).message})`);
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
