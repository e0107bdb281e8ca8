import { NestedStack, Stack } from 'aws-cdk-lib';

/**
 * The root of `stack`'s nesting tree: CloudFormation runs a nested stack's
 * updates from its root (Nested stacks, CloudFormation User Guide), so the
 * root is what a stack target cancels and where a gate goes.
 */
export function rootOf(stack: Stack): Stack {
  let root = stack;
  while (NestedStack.isNestedStack(root) && root.nestedStackParent !== undefined) {
    root = root.nestedStackParent;
  }
  return root;
}
