import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLOUDFORMATION_MAX_RESOURCES } from './quotas';
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
    'Split the targets over AlarmRollbacks in two stacks, move the alarms to another stack, or set alarmStateChecks: false to leave out the associations').message];
}
