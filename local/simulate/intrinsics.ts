import { createHash } from 'crypto';
import { SimulationInputError } from './simulation-input-error';

/** Where a stack is deployed: its pseudo parameters. */
export interface StackEnvironment {
  readonly stackName: string;
  /** @default '123456789012' when the stack is environment-agnostic */
  readonly account: string;
  /** @default 'us-east-1' when the stack is environment-agnostic */
  readonly region: string;
}

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

/** A CloudFormation resource as a synthesized template declares it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly Condition?: string;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface ResolverOptions {
  /**
   * Physical ids chosen from outside the template (AppConfig ids the state
   * file names), by logical id. They win over derived ids.
   * @default - none
   */
  readonly physicalIds?: Readonly<Record<string, string>>;
  /**
   * Values of `Fn::ImportValue`, by export name (other stacks' outputs).
   * @default - none: Fn::ImportValue fails
   */
  readonly exports?: (name: string) => string | undefined;
  /**
   * Name unnamed resources the way CloudFormation does,
   * `<stack>-<logical id>-<12 characters>` shortened to at most 64
   * characters, instead of the readable `<stack>-<logical id>`. The quota
   * tests use it to measure deployed sizes.
   * @default false
   */
  readonly cloudFormationNames?: boolean;
}

/** Longest name CloudFormation generates for a resource; the 12-character suffix and its dash are part of it. */
const GENERATED_NAME_MAX_LENGTH = 64;
const GENERATED_SUFFIX_LENGTH = 12;

/** Removes a property, the way `Ref: AWS::NoValue` does. */
const NO_VALUE = Symbol('AWS::NoValue');

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A deterministic AppConfig-style id (7 lowercase letters or digits) for a
 * key, so the same template always simulates with the same ids.
 */
export function derivedAppConfigId(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  return Array.from(digest.subarray(0, 7), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

/** The AWS partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Resolves CloudFormation intrinsics in one stack's template to concrete
 * values, as if the stack were deployed: `Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with `Fn::Equals`, `Fn::And`,
 * `Fn::Or`, `Fn::Not` and `Condition`), `Fn::FindInMap`, `Fn::Base64`,
 * `Fn::ImportValue`, and the pseudo parameters. Resources get deterministic
 * physical ids: their name property when the template sets one, otherwise a
 * name derived from the stack name and logical id.
 */
export class IntrinsicResolver {
  public readonly partition: string;
  private readonly resources: Record<string, TemplateResource>;

  constructor(
    public readonly template: Template,
    public readonly environment: StackEnvironment,
    private readonly options: ResolverOptions = {},
  ) {
    this.resources = template.Resources ?? {};
    this.partition = partitionOf(environment.region);
  }

  /** Resolves every intrinsic in `value`; `Ref: AWS::NoValue` removes the property or array element. */
  public resolve(value: unknown): any {
    const resolved = this.resolveValue(value, []);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** What `Ref` of a resource returns once the stack is deployed. */
  public ref(logicalId: string): string {
    const override = this.options.physicalIds?.[logicalId];
    if (override !== undefined) return override;
    const resource = this.resource(logicalId, 'Ref');
    const name = this.physicalName(logicalId, resource);
    const { account, region } = this.environment;
    const p = this.partition;
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
        return `arn:${p}:sns:${region}:${account}:${name}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      case 'AWS::AppConfig::Application':
      case 'AWS::AppConfig::Environment':
      case 'AWS::AppConfig::DeploymentStrategy':
      case 'AWS::AppConfig::ConfigurationProfile':
        return derivedAppConfigId(`${this.environment.stackName}/${logicalId}`);
      case 'AWS::AppConfig::HostedConfigurationVersion':
        return '1';
      default:
        return name;
    }
  }

  /** What `Fn::GetAtt` of a resource's attribute returns once the stack is deployed. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId, 'Fn::GetAtt');
    const name = this.physicalName(logicalId, resource);
    const { account, region } = this.environment;
    const p = this.partition;
    const arn = (service: string, resourcePart: string, withRegion = true) =>
      `arn:${p}:${service}:${withRegion ? region : ''}:${account}:${resourcePart}`;
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::CloudWatch::Alarm.Arn':
      case 'AWS::CloudWatch::CompositeAlarm.Arn':
        return arn('cloudwatch', `alarm:${name}`);
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::DynamoDB::Table.StreamArn':
        return arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', name);
      case 'AWS::SQS::Queue.QueueName':
      case 'AWS::SNS::Topic.TopicName':
        return name;
      case 'AWS::SQS::Queue.QueueUrl':
        return this.ref(logicalId);
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(logicalId);
      case 'AWS::IAM::Role.Arn':
        return arn('iam', `role/${name}`, false);
      case 'AWS::IAM::Role.RoleId':
        return `AROA${derivedAppConfigId(logicalId).toUpperCase()}`;
      case 'AWS::Events::Rule.Arn':
        return arn('events', `rule/${this.ruleBusPrefix(resource)}${name}`);
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${name}`);
      case 'AWS::Events::EventBus.Name':
        return name;
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${name}`);
      case 'AWS::AppConfig::Application.ApplicationId':
      case 'AWS::AppConfig::Environment.EnvironmentId':
      case 'AWS::AppConfig::DeploymentStrategy.Id':
      case 'AWS::AppConfig::ConfigurationProfile.ConfigurationProfileId':
        return this.ref(logicalId);
      case 'AWS::AppConfig::HostedConfigurationVersion.VersionNumber':
        return '1';
      default:
        if (attribute === 'Arn') {
          const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
          return arn(service, name);
        }
        return `${name}.${attribute}`;
    }
  }

  /** The name a resource is given: its name property if the template sets one, else `<stack>-<logical id>`. */
  public physicalName(logicalId: string, resource = this.resource(logicalId, 'Ref')): string {
    const property = NAME_PROPERTIES[resource.Type];
    const declared = property ? resource.Properties?.[property] : undefined;
    if (declared !== undefined) {
      const value = this.resolve(declared);
      if (typeof value === 'string' && value !== '') return value;
    }
    if (!this.options.cloudFormationNames) {
      return `${this.environment.stackName}-${logicalId}`;
    }
    const suffix = createHash('sha256').update(`${this.environment.stackName}/${logicalId}`).digest('hex')
      .slice(0, GENERATED_SUFFIX_LENGTH).toUpperCase();
    const room = GENERATED_NAME_MAX_LENGTH - GENERATED_SUFFIX_LENGTH - 2;
    const stackPart = this.environment.stackName.slice(0, Math.max(Math.ceil(room / 2), room - logicalId.length));
    return `${stackPart}-${logicalId.slice(0, room - stackPart.length)}-${suffix}`;
  }

  /**
   * `<bus name>/` for a rule on a custom event bus, whose ARN carries the
   * bus name (`rule/<bus>/<rule>`: the ARN formats table of "Managing access
   * permissions to your Amazon EventBridge resources", EventBridge User
   * Guide); nothing on the default bus.
   */
  private ruleBusPrefix(resource: TemplateResource): string {
    const declared = resource.Properties?.EventBusName;
    if (declared === undefined) return '';
    const bus = String(this.resolve(declared));
    const name = bus.startsWith('arn:') ? bus.split(':event-bus/')[1] ?? bus : bus;
    return name === 'default' ? '' : `${name}/`;
  }

  private resource(logicalId: string, intrinsic: string): TemplateResource {
    const resource = this.resources[logicalId];
    if (!resource) {
      throw new SimulationInputError(`${intrinsic} names "${logicalId}", which is not a resource of stack ${this.environment.stackName}: synthesize the app again (cdk synth)`);
    }
    return resource;
  }

  private pseudo(name: string): string | typeof NO_VALUE | undefined {
    const { account, region, stackName } = this.environment;
    switch (name) {
      case 'AWS::Partition': return this.partition;
      case 'AWS::Region': return region;
      case 'AWS::AccountId': return account;
      case 'AWS::URLSuffix': return this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
      case 'AWS::StackName': return stackName;
      case 'AWS::StackId': return `arn:${this.partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue': return NO_VALUE;
      default: return undefined;
    }
  }

  private refValue(name: string): unknown {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) {
        throw new SimulationInputError(`stack ${this.environment.stackName} has parameter "${name}" without a default; simulate cannot guess its value`);
      }
      return parameter.Default;
    }
    return this.ref(name);
  }

  private resolveValue(value: unknown, path: string[]): unknown {
    if (Array.isArray(value)) {
      return value.map((entry, index) => this.resolveValue(entry, [...path, String(index)])).filter((entry) => entry !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      if (key === 'Ref') return this.refValue(String(argument));
      if (key === 'Condition' && typeof argument === 'string' && path.length > 0) return this.condition(argument);
      if (key.startsWith('Fn::')) return this.intrinsic(key, argument, path);
    }
    const out: Record<string, unknown> = {};
    for (const [key, entry] of entries) {
      const resolved = this.resolveValue(entry, [...path, key]);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(name: string, argument: any, path: string[]): unknown {
    const resolve = (value: unknown) => this.resolveValue(value, path);
    switch (name) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
        return this.getAtt(String(logicalId), String(resolve(attribute)));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument;
        return (resolve(parts) as unknown[]).map((part) => String(part)).join(String(separator));
      }
      case 'Fn::Select': {
        const [index, list] = argument;
        const items = resolve(list) as unknown[];
        return items[Number(resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = argument;
        return String(resolve(source)).split(String(separator));
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const values = resolve(variables ?? {}) as Record<string, unknown>;
        return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, variable: string) => {
          if (literal) return `\${${variable}}`;
          if (Object.hasOwn(values, variable)) return String(values[variable]);
          const [logicalId, attribute] = variable.split(/\.(.*)/s);
          return String(attribute !== undefined && this.resources[logicalId] ? this.getAtt(logicalId, attribute) : this.refValue(variable));
        });
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument;
        return this.condition(String(condition)) ? resolve(whenTrue) : resolve(whenFalse);
      }
      case 'Fn::Equals': {
        const [left, right] = resolve(argument) as unknown[];
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::And':
        return (resolve(argument) as unknown[]).every(Boolean);
      case 'Fn::Or':
        return (resolve(argument) as unknown[]).some(Boolean);
      case 'Fn::Not':
        return !(resolve(argument) as unknown[])[0];
      case 'Fn::FindInMap': {
        const [map, first, second] = resolve(argument) as string[];
        const found = this.template.Mappings?.[map]?.[first]?.[second];
        if (found === undefined) {
          throw new SimulationInputError(`Fn::FindInMap finds nothing at ${map}/${first}/${second} in stack ${this.environment.stackName}`);
        }
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(String(resolve(argument))).toString('base64');
      case 'Fn::ImportValue': {
        const exportName = String(resolve(argument));
        const imported = this.options.exports?.(exportName);
        if (imported === undefined) {
          throw new SimulationInputError(`stack ${this.environment.stackName} imports "${exportName}", which no stack of the assembly exports`);
        }
        return imported;
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.environment.region}${zone}`);
      default:
        throw new SimulationInputError(`stack ${this.environment.stackName} uses ${name} at ${path.join('.') || 'the top level'}, which simulate does not resolve`);
    }
  }

  private condition(name: string): boolean {
    const declared = this.template.Conditions?.[name];
    if (declared === undefined) {
      throw new SimulationInputError(`stack ${this.environment.stackName} refers to condition "${name}", which its template does not declare`);
    }
    return Boolean(this.resolveValue(declared, ['Conditions', name]));
  }
}

/** The property that names a resource, for the types simulate meets. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
};
