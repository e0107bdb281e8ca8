import { createHash } from 'node:crypto';
import { AspectPriority, Aspects, CfnElement, CfnResource, Duration, IAspect, Lazy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BakeGateLimits } from '../../contract/bake-gate';
import { CLOUDFORMATION_MAX_RESOURCES, CLOUDFORMATION_TEMPLATE_MAX_BYTES } from '../../private/quotas';
import { renderedTemplate, templateBytesOf } from '../../private/stack-resources';
import { validationError } from '../../private/validate';

/**
 * The resource type of the metadata the CDK adds to a stack (module versions,
 * for analytics). It changes when the CDK is upgraded and nothing else does,
 * so it is left out of the hash: an upgrade alone does not bake.
 */
const CDK_METADATA_TYPE = 'AWS::CDK::Metadata';

/**
 * Runs after the aspects that add or change resources (AspectPriority.MUTATING
 * is 200, DEFAULT 500), so resources other aspects add are seen too, and
 * before the read-only ones (READONLY, 1000) that may check the result.
 */
const AFTER_MUTATING_ASPECTS = AspectPriority.READONLY - 100;

/**
 * The SHA-256 of the rest of `gate`'s stack, resolved: every template
 * element (resources, outputs, parameters, conditions, mappings, rules) of
 * the stack except those under `gate` and the CDK's metadata, each as its own
 * template fragment, in a canonical order and key order. Asset locations are
 * part of the resolved properties (a Lambda function's S3 key is its asset's
 * hash), so a changed asset changes it; two synths of the same app give the
 * same value. Resources of a nested stack are in the child's template, whose
 * asset hash is in the parent's `AWS::CloudFormation::Stack` resource.
 */
export function templateHashOf(gate: IConstruct): string {
  const stack = Stack.of(gate);
  const excluded = new Set<IConstruct>(gate.node.findAll());
  const fragments: string[] = [];
  for (const node of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(node) || excluded.has(node) || Stack.of(node) !== stack) {
      continue;
    }
    if (CfnResource.isCfnResource(node) && node.cfnResourceType === CDK_METADATA_TYPE) {
      continue;
    }
    fragments.push(canonicalJson(stack.resolve(node._toCloudFormation())));
  }
  fragments.sort();
  return createHash('sha256').update(`[${fragments.join(',')}]`).digest('hex');
}

/** The gate's `TemplateHash` property: computed when the template is written, after every resource exists. */
export function templateHashToken(gate: IConstruct): string {
  return Lazy.string({ produce: () => templateHashOf(gate) });
}

/**
 * Makes `gate` depend on every other resource of its stack, so CloudFormation
 * starts it after all of them are created or updated (DependsOn attribute,
 * CloudFormation Template Reference), and its bake covers the whole new
 * version. Added by an aspect, after the aspects that add resources; the
 * stack's resource count is checked when the app is validated.
 */
export function holdUpdateOpen(gate: CfnResource): void {
  Aspects.of(Stack.of(gate)).add(new DependOnEveryResource(gate), { priority: AFTER_MUTATING_ASPECTS });
  gate.node.addValidation({ validate: () => checkGateStackQuotas(gate) });
}

class DependOnEveryResource implements IAspect {
  constructor(private readonly gate: CfnResource) {}

  public visit(node: IConstruct): void {
    if (node === this.gate || !CfnResource.isCfnResource(node) || Stack.of(node) !== Stack.of(this.gate)) {
      return;
    }
    if (node.cfnResourceType === CDK_METADATA_TYPE || this.gate.node.findAll().includes(node)) {
      return;
    }
    this.gate.addDependency(node);
  }
}

/**
 * The gate's stack fits CloudFormation's quotas with the gate: its resources
 * (the gate is one more) and its template (the gate's `DependsOn` names every
 * other resource, up to 499 logical IDs of up to 255 characters each, about
 * 130 KB at most). Both are CloudFormation's limits whatever the CDK's
 * `@aws-cdk/core:stackResourceLimit` context says: the context only moves the
 * CDK's own check ("Understand CloudFormation quotas", CloudFormation User
 * Guide).
 */
export function checkGateStackQuotas(gate: CfnResource): string[] {
  const stack = Stack.of(gate);
  const total = stack.node.findAll().filter((node) => CfnResource.isCfnResource(node) && Stack.of(node) === stack).length;
  if (total > CLOUDFORMATION_MAX_RESOURCES) {
    return [validationError(gate,
      `stack ${stack.stackName} has ${total} resources with the bake gate; CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack ("Understand CloudFormation quotas")`,
      `${MOVE_RESOURCES}, so the stack has at most ${CLOUDFORMATION_MAX_RESOURCES - 1} besides the gate`).message];
  }
  const bytes = templateBytesOf(stack);
  if (bytes <= CLOUDFORMATION_TEMPLATE_MAX_BYTES) {
    return [];
  }
  const gateId = stack.resolve(gate.logicalId) as string;
  const gateBytes = Buffer.byteLength(JSON.stringify({ [gateId]: renderedTemplate(stack).Resources?.[gateId] }, undefined, 1));
  return [validationError(gate,
    `stack ${stack.stackName} has a template of ${bytes.toLocaleString('en-US')} bytes, ${gateBytes.toLocaleString('en-US')} of them the bake gate's `
    + `(its DependsOn lists the stack's other ${total - 1} resources); CloudFormation takes at most ${CLOUDFORMATION_TEMPLATE_MAX_BYTES.toLocaleString('en-US')} bytes from S3 ("Understand CloudFormation quotas")`,
    `${MOVE_RESOURCES}: the gate then names the one AWS::CloudFormation::Stack resource instead of each of them`).message];
}

const MOVE_RESOURCES = 'Move resources into a nested stack (the gate waits for the whole nested stack through its AWS::CloudFormation::Stack resource) or into another stack';

/**
 * Refuses a bake the custom resource cannot hold: CloudFormation waits at
 * most 3,600 seconds for a custom resource (AWS::CloudFormation::CustomResource
 * `ServiceTimeout`, 1 to 3600), and the gate keeps a margin of that for its
 * last poll, so a bake that outlasts the hour never fails the update by itself.
 */
export function checkBake(scope: IConstruct, bake: Duration): number {
  const seconds = bake.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) {
    throw validationError(scope, 'bake is a token resolved at deploy time', 'Give bake as a literal Duration, such as Duration.minutes(15)');
  }
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > BakeGateLimits.MAX_BAKE_SECONDS) {
    throw validationError(scope,
      `bake is ${bake.toHumanString()} (${seconds} s); a custom resource can be held at most ${BakeGateLimits.CUSTOM_RESOURCE_TIMEOUT_SECONDS} s, `
      + `of which the gate keeps ${BakeGateLimits.MARGIN_SECONDS} s for its last poll`,
      `Give a whole number of seconds from 1 to ${BakeGateLimits.MAX_BAKE_SECONDS} (${BakeGateLimits.MAX_BAKE_SECONDS / 60} minutes)`);
  }
  return seconds;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
