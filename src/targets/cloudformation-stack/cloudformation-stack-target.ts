import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLOUDFORMATION_SOURCE, CLOUDFORMATION_STACK_STATUS_CHANGE, CloudFormationStackTargetInput, Rules, TargetKind } from '../../contract';
import { describeValue, isLiteral, validationError } from '../../private/validate';
import { TargetBindContext, TargetDefinition } from '../target-definition';
import { addBakeGate } from './bake-gate';
import { checkGateAlarms } from './gate-alarms';
import { rootOf } from './root-stack';

/**
 * Options of a CloudFormation stack target: the stack whose update in
 * progress an alarm cancels. Give exactly one of `stack` and `stackName`.
 */
export interface CloudFormationStackTargetOptions {
  /**
   * A stack of this app. A nested stack is guarded through its root stack:
   * CloudFormation runs a nested stack's updates from its root (Nested stacks,
   * CloudFormation User Guide), and cancelling the root's update rolls the
   * nested stack back with it.
   *
   * @default - none: give `stackName` instead
   */
  readonly stack?: Stack;

  /**
   * The name or stack ID (ARN) of a stack deployed elsewhere, in the
   * AlarmRollback's own account and Region. For a nested stack, give its root
   * stack: the handler is granted access to the named stack only, and
   * CloudFormation cancels a nested stack's update through its root.
   *
   * @default - none: give `stack` instead
   */
  readonly stackName?: string;

  /**
   * Holds every update of `stack` open this long after its resources are
   * updated, reading the target's alarms every 30 seconds, and rolls the
   * update back if one enters a trigger state after the update started. A
   * custom resource in `stack` does it (its provider is shared by the
   * AlarmRollback); an update that changes nothing else does not bake.
   * Whole seconds, from 1 second to 55 minutes: CloudFormation waits at most
   * one hour for a custom resource, and 5 minutes of it are kept for the
   * last poll. Needs `stack` (a stack of this app), and one bake per stack.
   *
   * @default - no bake: only updates still in progress when an alarm's event arrives are cancelled
   */
  readonly bake?: Duration;

  /**
   * Cancel an update of the stack that starts while one of the target's
   * alarms fires, and, with `bake`, fail the bake for an alarm that has been
   * firing since before the update too. Without it, an alarm already firing
   * when an update starts does not stop that update, which may be its fix.
   *
   * An EventBridge rule on the default bus matches the stack's status
   * changes to `UPDATE_IN_PROGRESS` (CloudFormation's Stack Status Change
   * events) and sends them to the handler, which reads the target's listed
   * alarms (`triggerOn`, paused alarms and `alarmReadFailure` as for the
   * other checks) and cancels the update under the same claim as an alarm
   * event, so one update gets one cancel. Resources may already be changing
   * when the cancel lands; CloudFormation rolls them back. To push a fix
   * through while an alarm fires, disable the alarm's actions
   * (`aws cloudwatch disable-alarm-actions`), deploy, and enable them again.
   * The rule is left out when the AlarmRollback's `alarmStateChecks` is
   * false, and for a target watched by `alarmTags` only.
   *
   * @default false
   */
  readonly blockDeploymentsWhileAlarming?: boolean;
}

/** The actions the handler needs on a guarded stack, and nothing else (Service Authorization Reference, AWS CloudFormation). */
export const STACK_TARGET_ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CancelUpdateStack'];

/**
 * Cancels the update in progress of one CloudFormation stack
 * (CancelUpdateStack), which CloudFormation then rolls back whole.
 */
export class CloudFormationStackTarget implements TargetDefinition {
  constructor(private readonly options: CloudFormationStackTargetOptions) {}

  public bind(scope: IConstruct, context: TargetBindContext): CloudFormationStackTargetInput {
    const { stack, stackName } = this.options;
    if ((stack === undefined) === (stackName === undefined)) {
      throw validationError(scope,
        `RollbackTarget.cloudFormationStack was given ${stack === undefined ? 'neither stack nor stackName' : 'both stack and stackName'}`,
        'Give exactly one: stack for a stack of this app, stackName for a stack deployed elsewhere');
    }
    const own = Stack.of(scope);
    const name = stack !== undefined ? this.stackOfApp(scope, own, stack) : this.namedStack(scope, stackName!);

    const blockStart = this.options.blockDeploymentsWhileAlarming ?? false;
    context.grant(STACK_TARGET_ACTIONS, [stackArn(own, name)]);
    if (this.options.bake !== undefined) {
      if (stack === undefined) {
        throw validationError(scope,
          'bake was given with stackName; a bake gate is a resource placed in the stack, which a stack deployed elsewhere cannot receive',
          'Give stack (a Stack of this app) to bake its updates, or leave bake out');
      }
      const root = rootOf(stack);
      checkGateAlarms(scope, { guarded: root, own, alarmArns: context.alarmArns, alarmTags: context.alarmTags });
      const provider = context.bakeGates.provider();
      provider.grantReadStack(stackArn(own, name));
      addBakeGate(scope, root, provider, {
        bake: this.options.bake,
        target: context.name,
        alarmArns: context.alarmArns,
        triggerStates: context.triggerStates,
        actOnPausedAlarms: context.actOnPausedAlarms,
        blockStart,
        alarmReadFailure: context.bakeGates.alarmReadFailure,
      });
    }

    const input: CloudFormationStackTargetInput = {
      kind: TargetKind.CLOUDFORMATION_STACK,
      name: context.name,
      alarmArns: context.alarmArns,
      triggerStates: context.triggerStates,
      actOnPausedAlarms: context.actOnPausedAlarms,
      stackName: name,
    };
    if (blockStart) {
      // The start of an update is seen through the stack's status change to
      // UPDATE_IN_PROGRESS ("Stack Status Change event detail", CloudFormation
      // User Guide), which CloudFormation sends to the default bus with
      // durable delivery, possibly out of order (EventBridge events reference,
      // "AWS CloudFormation events"): the handler reads the stack before it
      // acts. The stack ID ends in a suffix unique to each creation of the
      // stack, so the rule matches the name's prefix, as the grant does.
      context.stateChecks?.addStartRules({
        source: [CLOUDFORMATION_SOURCE],
        detailType: [CLOUDFORMATION_STACK_STATUS_CHANGE],
        detail: {
          'stack-id': [{ prefix: stackArnPrefix(own, name) }],
          'status-details': { status: ['UPDATE_IN_PROGRESS'] },
        },
      }, { ...input, alarmReadFailure: context.bakeGates.alarmReadFailure },
      `Cancels an update of stack ${name} that starts while one of its alarms fires`);
    }
    return input;
  }

  /** The root of `stack`, checked to be one the handler can act on; answers its name. */
  private stackOfApp(scope: IConstruct, own: Stack, stack: Stack): string {
    const root = rootOf(stack);
    // The AlarmRollback's own stack, or a nesting tree holding it: a cancel of
    // the root would roll back the handler that is acting.
    if (rootOf(own) === root) {
      throw validationError(scope,
        `the stack target ${root.node.path} holds this AlarmRollback${root === stack ? '' : ` (through nested stack ${stack.node.path})`}`,
        'Put the AlarmRollback in a stack of its own: a cancel would roll back the handler that is acting, and its own updates could not be guarded');
    }
    for (const [what, theirs, ours] of [['account', root.account, own.account], ['Region', root.region, own.region]] as const) {
      if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours) {
        throw validationError(scope,
          `the stack target ${root.node.path} is in ${what} ${theirs}, and this AlarmRollback in ${ours}`,
          'Deploy an AlarmRollback in the stack\'s own account and Region (the handler cancels only stacks there); forward alarms of other accounts and Regions to it');
      }
    }
    return root.stackName;
  }

  /** `stackName`, checked; answers it as given. */
  private namedStack(scope: IConstruct, stackName: string): string {
    if (isLiteral(stackName) && !Rules.CLOUDFORMATION_STACK_NAME_OR_ID.test(stackName)) {
      throw validationError(scope,
        `stackName is ${describeValue(stackName)}, which is neither a stack name nor a stack ID`,
        `Use ${Rules.CLOUDFORMATION_STACK_NAME_OR_ID.says}`);
    }
    return stackName;
  }
}

/**
 * The ARNs of every stack of that name: `stack/<name>/*`, the stack ID's
 * unique suffix left open so the grant holds across a stack's re-creation.
 * A stack ID given as the target keeps its own partition, Region and account.
 */
function stackArn(own: Stack, name: string): string {
  return `${stackArnPrefix(own, name)}*`;
}

/** Every stack ID of that name starts with this: `arn:…:stack/<name>/`. */
function stackArnPrefix(own: Stack, name: string): string {
  if (isLiteral(name) && name.startsWith('arn:')) {
    const parts = Arn.split(name, ArnFormat.SLASH_RESOURCE_NAME);
    const stackName = parts.resourceName!.split('/')[0];
    return `arn:${parts.partition}:cloudformation:${parts.region}:${parts.account}:stack/${stackName}/`;
  }
  return own.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
