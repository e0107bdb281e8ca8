// Measures a synthesized stack against every AWS quota that applies to what
// an AlarmRollback creates, on the template as CloudFormation would deploy
// it: intrinsics resolved, generated names as long as CloudFormation makes
// them, and each resource-based policy as the service would hold it. Used by
// the quota test and by the synth-scale bench.
import { IntrinsicResolver, StackEnvironment, Template, TemplateResource } from '../../local/simulate/intrinsics';
import * as quotas from '../../src/private/quotas';

/** How much of one quota the most loaded resource of the stack uses. */
export interface QuotaUsage {
  readonly quota: string;
  readonly used: number;
  readonly limit: number;
  /** The logical id of the most loaded resource (or the stack). */
  readonly where: string;
}

type Json = any;

/** Every quota, measured on `template` deployed as `environment` (the worst resource for each). */
export function measureQuotas(
  template: Template,
  environment: StackEnvironment,
  exports?: (name: string) => string | undefined,
): QuotaUsage[] {
  const resolver = new IntrinsicResolver(template, environment, { cloudFormationNames: true, exports });
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);
  const resolved = (resource: TemplateResource): Json => resolver.resolve(resource.Properties ?? {});
  const usages: QuotaUsage[] = [];
  /** Records the largest of `figures` against `limit`; no figures use nothing of it. */
  const record = (quota: string, limit: number, figures: Array<[string, number]>) => {
    const [where, used] = figures.reduce((worst, figure) => (figure[1] > worst[1] ? figure : worst), [environment.stackName, 0]);
    usages.push({ quota, used, limit, where });
  };

  record('CloudFormation resources per stack', quotas.CLOUDFORMATION_MAX_RESOURCES, [[environment.stackName, resources.length]]);
  record('CloudFormation template bytes (via S3)', quotas.CLOUDFORMATION_TEMPLATE_MAX_BYTES,
    [[environment.stackName, Buffer.byteLength(JSON.stringify(template, undefined, 1))]]);
  record('CloudFormation outputs per stack', quotas.CLOUDFORMATION_MAX_OUTPUTS, [[environment.stackName, Object.keys(template.Outputs ?? {}).length]]);

  const rules = ofType('AWS::Events::Rule').map(([id, resource]) => [id, resolved(resource)] as [string, Json]);
  // Rules per bus: the default bus and each custom bus the stack's rules name.
  const busOf = (rule: Json): string => String(rule.EventBusName ?? 'default');
  const buses = [...new Set(rules.map(([, rule]) => busOf(rule)))];
  record('EventBridge rules per event bus', quotas.RULES_PER_EVENT_BUS,
    buses.map((bus) => [bus === 'default' ? environment.stackName : bus, rules.filter(([, rule]) => busOf(rule) === bus).length]));
  // A bus holds one policy: the statements of every EventBusPolicy naming it, as compact JSON.
  const busPolicies = ofType('AWS::Events::EventBusPolicy').map(([, resource]) => resolved(resource));
  record('EventBridge event bus policy characters', quotas.EVENT_BUS_POLICY_MAX_CHARS,
    [...new Set(busPolicies.map((policy) => String(policy.EventBusName ?? 'default')))].map((bus) => [bus, JSON.stringify({
      Version: '2012-10-17',
      Statement: busPolicies.filter((policy) => String(policy.EventBusName ?? 'default') === bus)
        .map((policy) => ({ Sid: policy.StatementId, ...policy.Statement })),
    }).length]));
  record('EventBridge event pattern characters', quotas.EVENT_PATTERN_MAX_CHARS,
    rules.map(([id, rule]) => [id, JSON.stringify(rule.EventPattern).length]));
  record('EventBridge input template characters', quotas.INPUT_TEMPLATE_MAX_CHARS,
    rules.flatMap(([id, rule]) => (rule.Targets ?? []).map((target: Json) =>
      [id, String(target.InputTransformer?.InputTemplate ?? target.Input ?? '').length] as [string, number])));
  record('EventBridge targets per rule', quotas.TARGETS_PER_RULE, rules.map(([id, rule]) => [id, (rule.Targets ?? []).length]));
  record('EventBridge rule name characters', quotas.RULE_NAME_MAX_CHARS,
    rules.map(([id]) => [id, resolver.physicalName(id, template.Resources![id])]).map(([id, name]) => [id, name.length]));

  // SQS holds one policy per queue: the statements of every queue policy naming it.
  const queuePolicies = ofType('AWS::SQS::QueuePolicy').map(([, resource]) => resolved(resource));
  const queueDocuments = ofType('AWS::SQS::Queue').map(([id]) => {
    const url = resolver.ref(id);
    const statements = queuePolicies.filter((policy) => policy.Queues.includes(url)).flatMap((policy) => policy.PolicyDocument.Statement);
    return [id, { Version: '2012-10-17', Statement: statements }] as [string, Json];
  });
  record('SQS queue policy statements', quotas.SQS_POLICY_MAX_STATEMENTS, queueDocuments.map(([id, document]) => [id, document.Statement.length]));
  record('SQS queue policy bytes', quotas.SQS_POLICY_MAX_BYTES, queueDocuments.map(([id, document]) => [id, Buffer.byteLength(JSON.stringify(document))]));

  // Lambda holds one resource-based policy per function: a statement per permission.
  const permissions = ofType('AWS::Lambda::Permission').map(([id, resource]) => [id, resolved(resource)] as [string, Json]);
  record('Lambda resource-based policy bytes', quotas.LAMBDA_RESOURCE_POLICY_MAX_BYTES, ofType('AWS::Lambda::Function').map(([id]) => {
    const arn = resolver.getAtt(id, 'Arn');
    const names = [arn, resolver.ref(id)];
    const statements = permissions.filter(([, permission]) => names.includes(permission.FunctionName))
      .map(([permissionId, permission]) => lambdaStatement(resolver.physicalName(permissionId, template.Resources![permissionId]), arn, permission));
    return [id, Buffer.byteLength(JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }))];
  }));

  // IAM: inline policies of a role together, each managed policy, managed policies per role.
  const policies = ofType('AWS::IAM::Policy').map(([, resource]) => resolved(resource));
  const managed = ofType('AWS::IAM::ManagedPolicy').map(([id, resource]) => [id, resolved(resource)] as [string, Json]);
  const roles = ofType('AWS::IAM::Role').map(([id, resource]) => [id, resolver.ref(id), resolved(resource)] as [string, string, Json]);
  record('IAM inline policy characters per role', quotas.IAM_INLINE_ROLE_POLICIES_MAX_CHARS, roles.map(([id, name, role]) => {
    const documents = [
      ...(role.Policies ?? []).map((policy: Json) => policy.PolicyDocument),
      ...policies.filter((policy) => (policy.Roles ?? []).includes(name)).map((policy) => policy.PolicyDocument),
    ];
    return [id, documents.reduce((sum: number, document: Json) => sum + iamCharacters(document), 0)];
  }));
  record('IAM managed policy characters', quotas.IAM_MANAGED_POLICY_MAX_CHARS,
    managed.map(([id, policy]) => [id, iamCharacters(policy.PolicyDocument)]));
  record('IAM managed policies per role', quotas.IAM_MANAGED_POLICIES_PER_ROLE, roles.map(([id, name, role]) =>
    [id, (role.ManagedPolicyArns ?? []).length + managed.filter(([, policy]) => (policy.Roles ?? []).includes(name)).length]));

  // AppConfig: parameters declared per extension, characters of each association's values once deployed.
  record('AppConfig extension parameters', quotas.APPCONFIG_EXTENSION_MAX_PARAMETERS, ofType('AWS::AppConfig::Extension')
    .map(([id, resource]) => [id, Object.keys(resolved(resource).Parameters ?? {}).length]));
  record('AppConfig extension parameter value characters', quotas.APPCONFIG_PARAMETER_VALUE_MAX_CHARS, ofType('AWS::AppConfig::ExtensionAssociation')
    .flatMap(([id, resource]) => Object.values((resolved(resource).Parameters ?? {}) as Record<string, unknown>)
      .map((value) => [id, String(value).length] as [string, number])));
  return usages;
}

/** IAM counts a policy's characters without white space ("IAM and AWS STS quotas"). */
function iamCharacters(document: Json): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/** The statement Lambda adds for an AWS::Lambda::Permission (AddPermission), as GetPolicy returns it. */
function lambdaStatement(sid: string, functionArn: string, permission: Json): Json {
  const condition: Json = {};
  if (permission.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': permission.SourceAccount };
  if (permission.SourceArn) condition.ArnLike = { 'AWS:SourceArn': permission.SourceArn };
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: permission.Principal.endsWith('.amazonaws.com') ? { Service: permission.Principal } : { AWS: permission.Principal },
    Action: permission.Action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** `used / limit` as a percentage, for reports. */
export function headroom(usage: QuotaUsage): string {
  return `${usage.used.toLocaleString('en-US')} / ${usage.limit.toLocaleString('en-US')} (${Math.round((usage.used / usage.limit) * 100)}%)`;
}
