import { CfnResource, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { Rules } from '../contract';
import { GENERATED_NAME_MAX_CHARS, GENERATED_NAME_SUFFIX_CHARS } from './quotas';

const ALARM_NAME_MAX_CHARS = Rules.MAX_ALARM_NAME_LENGTH;

// The quotas count characters of the deployed value, after CloudFormation
// has resolved every intrinsic. A token's value is unknown at synth time, so
// it is counted at the longest it can be once deployed.

/**
 * Longest partition name: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
 * aws-iso-e, aws-iso-f, aws-eusc ("AWS General Reference", partitions).
 */
const PARTITION_MAX_CHARS = 10;
/**
 * Longest Region code. AWS publishes no maximum; today's longest (for
 * example us-isof-south-1) have 15 characters, and 20 leaves room.
 */
const REGION_MAX_CHARS = 20;
const ACCOUNT_CHARS = 12;
const APPCONFIG_ID_MAX_CHARS = Rules.APPCONFIG_ID_MAX_LENGTH;

const PSEUDO_PARAMETERS: Record<string, number> = {
  'AWS::Partition': PARTITION_MAX_CHARS,
  'AWS::Region': REGION_MAX_CHARS,
  'AWS::AccountId': ACCOUNT_CHARS,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
};

/** The longest a CloudWatch alarm ARN can be: `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name of at most 255>`. */
export const ALARM_ARN_MAX_CHARS = 'arn::cloudwatch:::alarm:'.length
  + PARTITION_MAX_CHARS + REGION_MAX_CHARS + ACCOUNT_CHARS + ALARM_NAME_MAX_CHARS;

/**
 * Counts the characters a value has once deployed, as a JSON string body
 * (escapes included, quotes excluded): exactly for literals, at most for
 * tokens.
 */
export class ResolvedLength {
  private resources = new Map<string, CfnResource>();

  constructor(private readonly stack: Stack) {}

  /**
   * The longest `value` can be once deployed. Each part whose length cannot
   * be known counts as `unknownPart` characters.
   */
  public of(value: string, unknownPart: number): number {
    if (!Token.isUnresolved(value)) {
      return jsonBody(value);
    }
    // Literal parts at their length; each attribute of a resource, possibly
    // of another stack (imported once deployed), at the longest that
    // resource's attribute can be; anything else by what it resolves to here.
    const counted = (part: unknown): number => (part instanceof Counted ? part.chars : jsonBody(String(part)));
    const parts = Tokenization.reverseString(value).mapTokens({
      mapToken: (token) => new Counted((token instanceof Reference ? attributeChars(token.target, token.displayName) : undefined)
        ?? this.bound(this.stack.resolve(token), unknownPart)),
    });
    return counted(parts.join({ join: (left: unknown, right: unknown) => new Counted(counted(left) + counted(right)) }));
  }

  /** The longest a CloudWatch alarm ARN can be, never more than any alarm ARN can be. */
  public ofAlarmArn(arn: string): number {
    return Math.min(this.of(arn, ALARM_ARN_MAX_CHARS), ALARM_ARN_MAX_CHARS);
  }

  /**
   * The longest the JSON rendering of `value` can be once deployed. Strings
   * that are tokens are counted with `of`.
   */
  public ofJson(value: unknown, unknownPart: number): number {
    if (typeof value === 'string') {
      return 2 + this.of(value, unknownPart);
    }
    if (Array.isArray(value)) {
      return 2 + Math.max(0, value.length - 1) + value.reduce((sum: number, item) => sum + this.ofJson(item, unknownPart), 0);
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).filter(([, item]) => item !== undefined);
      return 2 + Math.max(0, entries.length - 1)
        + entries.reduce((sum, [key, item]) => sum + 2 + jsonBody(key) + 1 + this.ofJson(item, unknownPart), 0);
    }
    return JSON.stringify(value)?.length ?? 0;
  }

  private bound(resolved: unknown, unknownPart: number): number {
    if (typeof resolved === 'string') {
      return jsonBody(resolved);
    }
    if (typeof resolved === 'number') {
      return String(resolved).length;
    }
    const [intrinsic, argument] = Object.entries(resolved ?? {})[0] ?? [];
    if (intrinsic === 'Fn::Join' && Array.isArray(argument)) {
      const [separator, parts] = argument as [string, unknown[]];
      if (Array.isArray(parts)) {
        return jsonBody(separator) * Math.max(0, parts.length - 1)
          + parts.reduce((sum: number, part) => sum + this.bound(part, unknownPart), 0);
      }
    }
    if (intrinsic === 'Ref' && typeof argument === 'string') {
      return PSEUDO_PARAMETERS[argument] ?? this.attribute(argument, 'Ref') ?? unknownPart;
    }
    if (intrinsic === 'Fn::GetAtt' && Array.isArray(argument)) {
      return this.attribute(String(argument[0]), String(argument[1])) ?? unknownPart;
    }
    return unknownPart;
  }

  /** The longest a resource's `Ref` or attribute can be, for the resources an AlarmRollback is handed. */
  private attribute(logicalId: string, attribute: string): number | undefined {
    const resource = this.resource(logicalId);
    return resource === undefined ? undefined : attributeChars(resource, attribute);
  }

  private resource(logicalId: string): CfnResource | undefined {
    if (!this.resources.has(logicalId)) {
      // Resources are added while targets are; look again when one is not known yet.
      this.resources = new Map(this.stack.node.findAll()
        .filter((node): node is CfnResource => CfnResource.isCfnResource(node) && Stack.of(node) === this.stack)
        .map((node) => [this.stack.resolve(node.logicalId) as string, node]));
    }
    return this.resources.get(logicalId);
  }
}

/**
 * The longest `attribute` (`Ref` or a `Fn::GetAtt` name) of `resource` can
 * be once deployed, counted in the resource's own stack; undefined for
 * resources this module does not know.
 */
function attributeChars(target: IConstruct, attribute: string): number | undefined {
  if (!CfnResource.isCfnResource(target)) {
    return undefined;
  }
  const resource = target as CfnResource;
  const length = resolvedLength(resource);
  if (resource instanceof cloudwatch.CfnAlarm || resource instanceof cloudwatch.CfnCompositeAlarm) {
    // An L2 alarm passes its physical name as a token that resolves to
    // nothing when the name is left to CloudFormation.
    const declared = resource.alarmName === undefined ? undefined : resource.stack.resolve(resource.alarmName);
    const name = declared === undefined || declared === ''
      ? generatedNameChars(resource)
      : Math.min(length.of(resource.alarmName!, ALARM_NAME_MAX_CHARS), ALARM_NAME_MAX_CHARS);
    if (attribute === 'Ref') return name;
    if (attribute === 'Arn') {
      return 'arn::cloudwatch:::alarm:'.length + length.of(resource.stack.partition, PARTITION_MAX_CHARS)
        + length.of(resource.stack.region, REGION_MAX_CHARS) + length.of(resource.stack.account, ACCOUNT_CHARS) + name;
    }
  }
  if (resource instanceof appconfig.CfnApplication && ['Ref', 'ApplicationId'].includes(attribute)) {
    return APPCONFIG_ID_MAX_CHARS;
  }
  if (resource instanceof appconfig.CfnEnvironment && ['Ref', 'EnvironmentId'].includes(attribute)) {
    return APPCONFIG_ID_MAX_CHARS;
  }
  return undefined;
}

/**
 * The length of the name CloudFormation gives a resource that names none:
 * `<stack name>-<logical id>-<suffix>`, shortened to at most
 * GENERATED_NAME_MAX_CHARS. Both parts are known at synth time, so the name
 * is counted at its real length rather than at the longest a name can be.
 */
function generatedNameChars(resource: CfnResource): number {
  const stackName = Token.isUnresolved(resource.stack.stackName) ? 128 : resource.stack.stackName.length;
  const logicalId = resource.stack.resolve(resource.logicalId);
  const logicalIdChars = typeof logicalId === 'string' ? logicalId.length : 255;
  return Math.min(GENERATED_NAME_MAX_CHARS, stackName + 1 + logicalIdChars + 1 + GENERATED_NAME_SUFFIX_CHARS);
}

/** A part of a string already counted, among the literal parts still to count. */
class Counted {
  constructor(public readonly chars: number) {}
}

/** Characters of a string inside a JSON document, without its quotes. */
function jsonBody(text: string): number {
  return JSON.stringify(text).length - 2;
}

/** One `ResolvedLength` per stack, so its index of resources is built once. */
const perStack = new WeakMap<Stack, ResolvedLength>();

export function resolvedLength(scope: IConstruct): ResolvedLength {
  const stack = Stack.of(scope);
  let found = perStack.get(stack);
  if (!found) {
    found = new ResolvedLength(stack);
    perStack.set(stack, found);
  }
  return found;
}
