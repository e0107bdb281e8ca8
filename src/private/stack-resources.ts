import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLOUDFORMATION_MAX_OUTPUTS, CLOUDFORMATION_MAX_RESOURCES, CLOUDFORMATION_TEMPLATE_MAX_BYTES } from './quotas';
import { validationError } from './validate';

/**
 * Every AppConfig target adds an extension association beside its rule, so
 * targets reach CloudFormation's 500 resources per stack ("AWS
 * CloudFormation quotas") sooner than the 300 rules of an event bus. The
 * CDK refuses such a stack too; this says which part is ours and what to do.
 */
export function checkStackResources(scope: IConstruct): string[] {
  const stack = Stack.of(scope);
  const isResource = (node: unknown) => CfnResource.isCfnResource(node as CfnResource) && Stack.of(node as CfnResource) === stack;
  const total = stack.node.findAll().filter(isResource).length;
  if (total <= CLOUDFORMATION_MAX_RESOURCES) {
    return [];
  }
  const ours = scope.node.findAll().filter(isResource).length;
  return [validationError(scope,
    `stack ${stack.stackName} has ${total} resources, ${ours} of them from this AlarmRollback (a rule per target, an extension association per AppConfig target); `
    + `CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack`,
    'Split the targets over AlarmRollbacks in two stacks, move the alarms to another stack (with an alarmName each, so that they are read by name '
    + 'rather than through an export each: CloudFormation allows 200 outputs per stack), or set alarmStateChecks: false to leave out the associations').message];
}

/**
 * The outputs of the stack and of every stack it imports from. The CDK turns
 * each value one stack reads from another into an export of the producing
 * stack, and CloudFormation allows 200 outputs per stack ("AWS
 * CloudFormation quotas"): alarms and environments moved to a stack of their
 * own, as the resource error suggests, export one value each. Runs after the
 * CDK has added the exports (validation follows preparation).
 */
export function checkStackOutputs(scope: IConstruct): string[] {
  const stack = Stack.of(scope);
  return [stack, ...stack.dependencies].flatMap((producer) => {
    const outputs = producer.node.findAll().filter((node): node is CfnOutput => node instanceof CfnOutput && Stack.of(node) === producer);
    if (outputs.length <= CLOUDFORMATION_MAX_OUTPUTS) {
      return [];
    }
    const exported = outputs.filter((output) => output.exportName !== undefined).length;
    return [validationError(scope,
      `stack ${producer.stackName} has ${outputs.length} outputs, ${exported} of them exports other stacks import`
      + `${producer === stack ? '' : ` (stack ${stack.stackName} of this AlarmRollback reads its alarms or environments from it)`}; `
      + `CloudFormation allows ${CLOUDFORMATION_MAX_OUTPUTS} outputs per stack`,
      'Give the alarms in that stack an alarmName: an AlarmRollback reads a named alarm of another stack by its name, without an export. '
      + 'Or pass the AppConfig IDs as literals (applicationId, environmentId), or split the targets over AlarmRollbacks whose alarms are in different stacks').message];
  });
}

/** Template sizes already counted, one figure per stack however many AlarmRollbacks it holds. */
const templateBytes = new WeakMap<Stack, number>();

/**
 * The stack's template, as the CDK writes it, against the 1 MB CloudFormation
 * takes from S3 ("AWS CloudFormation quotas": template body size in an
 * Amazon S3 object). The CDK synthesizes larger templates without a word and
 * the deployment fails; a dashboard draws a graph per target and grows
 * fastest.
 */
export function checkTemplateSize(scope: IConstruct, dashboards: number): string[] {
  const stack = Stack.of(scope);
  const bytes = templateBytesOf(stack);
  if (bytes <= CLOUDFORMATION_TEMPLATE_MAX_BYTES) {
    return [];
  }
  return [validationError(scope,
    `stack ${stack.stackName} has a template of ${bytes.toLocaleString('en-US')} bytes; CloudFormation takes at most ${CLOUDFORMATION_TEMPLATE_MAX_BYTES.toLocaleString('en-US')} bytes from S3`,
    `${dashboards > 0 ? 'Leave out addDashboard (it draws a graph per target), or split' : 'Split'} the targets over AlarmRollbacks in two stacks`).message];
}

/**
 * The bytes of `stack`'s template as the CDK writes it: `_toCloudFormation`,
 * indented by one space (the CDK's own JSON output). Counted once per stack,
 * when the app is validated, after every resource exists.
 */
export function templateBytesOf(stack: Stack): number {
  let bytes = templateBytes.get(stack);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(renderedTemplate(stack), undefined, 1));
    templateBytes.set(stack, bytes);
  }
  return bytes;
}

/** The template the CDK writes for `stack`. */
export function renderedTemplate(stack: Stack): { Resources?: Record<string, unknown> } {
  return (stack as unknown as { _toCloudFormation(): { Resources?: Record<string, unknown> } })._toCloudFormation();
}
