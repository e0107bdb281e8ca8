import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { IAM_INLINE_ROLE_POLICIES_MAX_CHARS, IAM_MANAGED_POLICIES_PER_ROLE, IAM_MANAGED_POLICY_MAX_CHARS } from './quotas';
import { resolvedLength } from './resolved-length';
import { validationError } from './validate';

/**
 * Inline room kept for the handler's own grants (ledger, dead-letter queue,
 * topic, their KMS keys: about 1,500 characters at most) and for what an
 * application adds to the role; target grants get the rest.
 */
const RESERVED_INLINE_CHARS = 4096;
/** Target grants in the handler's inline (default) policy. */
export const INLINE_TARGET_GRANT_CHARS = IAM_INLINE_ROLE_POLICIES_MAX_CHARS - RESERVED_INLINE_CHARS;
/** The Lambda function already has AWSLambdaBasicExecutionRole attached. */
export const TARGET_MANAGED_POLICIES = IAM_MANAGED_POLICIES_PER_ROLE - 1;
/** A part of a granted ARN that is a token nobody can bound: AppConfig IDs have 7 characters, Proton names 100. */
const UNKNOWN_ARN_PART_CHARS = 100;
const EMPTY_DOCUMENT_CHARS = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/** A policy being filled with target grants, and what it holds. */
interface GrantBucket {
  readonly capacity: number;
  used: number;
  readonly statements: Map<string, { statement: iam.PolicyStatement; arns: Set<string> }>;
  add(statement: iam.PolicyStatement): void;
}

/**
 * Packs every target's grants into the handler's inline policy and then into
 * customer managed policies attached to its role, each filled up to its IAM
 * size quota as counted on the resolved template (white space not counted,
 * tokens at their longest). Grants with the same actions share a statement
 * within a policy, so an application several targets name is listed once.
 */
export class TargetGrants {
  private readonly buckets: GrantBucket[] = [];

  constructor(private readonly owner: Construct, private readonly handler: lambda.Function) {
    // An inline policy of its own, created with its first statement: the
    // CDK moves statements of the role's default policy into managed
    // policies when its own estimate of their size (intrinsics unresolved,
    // so longer than deployed) passes 10,000 characters, which would take
    // managed-policy slots this packing does not know about.
    let policy: iam.Policy | undefined;
    this.buckets.push({
      capacity: INLINE_TARGET_GRANT_CHARS,
      used: 0,
      statements: new Map(),
      add: (statement) => {
        if (!policy) {
          policy = new iam.Policy(this.owner, 'TargetGrants', { roles: [this.handler.role!] });
          this.handler.node.defaultChild!.node.addDependency(policy);
        }
        policy.addStatements(statement);
      },
    });
  }

  /** Allows the handler `actions` on `resourceArns`; `scope` is the target, named in errors. */
  public grant(scope: IConstruct, actions: string[], resourceArns: string[]): void {
    const key = actions.join(',');
    let bucket = this.buckets[this.buckets.length - 1];
    let cost = this.cost(bucket, key, actions, resourceArns);
    if (bucket.used + cost > bucket.capacity) {
      bucket = this.openManagedPolicy(scope);
      cost = this.cost(bucket, key, actions, resourceArns);
      if (bucket.used + cost > bucket.capacity) {
        throw validationError(scope,
          `this target's grant needs ${cost} characters of IAM policy; a managed policy holds ${IAM_MANAGED_POLICY_MAX_CHARS}`,
          'Use shorter identifiers for the target');
      }
    }
    bucket.used += cost;
    let entry = bucket.statements.get(key);
    if (!entry) {
      entry = { statement: new iam.PolicyStatement({ actions }), arns: new Set() };
      bucket.statements.set(key, entry);
      bucket.add(entry.statement);
    }
    const added = resourceArns.filter((arn) => !entry!.arns.has(arn));
    added.forEach((arn) => entry!.arns.add(arn));
    entry.statement.addResources(...new Set(added));
  }

  /** Characters a grant adds to a bucket: new ARNs with quotes and comma, and a new statement if none has these actions yet. */
  private cost(bucket: GrantBucket, key: string, actions: string[], resourceArns: string[]): number {
    const length = resolvedLength(this.owner);
    const listed = bucket.statements.get(key)?.arns ?? new Set<string>();
    const arns = [...new Set(resourceArns)].filter((arn) => !listed.has(arn));
    const arnChars = arns.reduce((sum, arn) => sum + length.of(arn, UNKNOWN_ARN_PART_CHARS) + 3, 0);
    const statementChars = bucket.statements.has(key) ? 0
      : length.ofJson({ Effect: 'Allow', Action: actions, Resource: [] }, UNKNOWN_ARN_PART_CHARS) + 1;
    return arnChars + statementChars;
  }

  private openManagedPolicy(scope: IConstruct): GrantBucket {
    const number = this.buckets.length;
    if (number > TARGET_MANAGED_POLICIES) {
      throw validationError(scope,
        `the handler's target grants need more than ${TARGET_MANAGED_POLICIES} customer managed policies of ${IAM_MANAGED_POLICY_MAX_CHARS} characters `
        + `beside ${INLINE_TARGET_GRANT_CHARS} characters of inline policy; IAM attaches at most ${IAM_MANAGED_POLICIES_PER_ROLE} managed policies to a role by default, `
        + 'and AWSLambdaBasicExecutionRole is one of them',
        'Split the targets over two AlarmRollback constructs (each has its own handler and role)');
    }
    const role = this.handler.role!;
    const policy = new iam.ManagedPolicy(this.owner, `TargetGrants${number}`, {
      description: `Target grants of the rollback handler ${this.owner.node.path} (${number})`.slice(0, 1000),
      roles: [role],
    });
    // The function must not run before it may act on every target (the
    // function resource only: its role is a child of the handler construct).
    this.handler.node.defaultChild!.node.addDependency(policy);
    const bucket: GrantBucket = {
      capacity: IAM_MANAGED_POLICY_MAX_CHARS,
      used: EMPTY_DOCUMENT_CHARS,
      statements: new Map(),
      add: (statement) => policy.addStatements(statement),
    };
    this.buckets.push(bucket);
    return bucket;
  }
}
