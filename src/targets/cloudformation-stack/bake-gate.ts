import { ArnFormat, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { checkBake, holdUpdateOpen, templateHashToken } from './template-hash';
import { AlarmReadFailure, BAKE_GATE_RESOURCE_TYPE, BakeGateLimits, BakeGateProperty } from '../../contract';
import { grantDescribeAlarms } from '../../private/describe-alarms-grant';
import { grantEnvironmentDecrypt } from '../../private/encryption';
import { grantLedgerAccess } from '../../private/ledger';
import { HANDLER_ASSET_PATH } from '../../private/rollback-function';
import { validationError } from '../../private/validate';

/** The gate's custom resource's ID in the guarded stack: one gate per stack. */
export const BAKE_GATE_ID = 'AlarmRollbackBakeGate';

/** Why a guarded stack depends on its AlarmRollback's stack, with the way out of a cycle. */
export const BAKE_GATE_DEPENDENCY_REASON = 'the bake gate\'s provider must exist before the gate runs; '
  + 'the AlarmRollback\'s stack must read nothing created in the stack it bakes: create its alarms and environments elsewhere, or reference them by name or ID';

/** The stack actions the gate's functions read with, on the guarded stack only (no CancelUpdateStack: the gate fails, it never cancels). */
export const BAKE_GATE_STACK_ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'];

/**
 * The Provider framework's whole wait: the hour CloudFormation gives a custom
 * resource (`ServiceTimeout`, at most 3600 s). One provider serves every
 * gate of an AlarmRollback, whatever its bake, and the longest bake leaves
 * `BakeGateLimits.MARGIN_SECONDS` of it free; isComplete answers true as soon
 * as a bake is over, so a long wait never delays an update. A whole multiple
 * of the query interval, as the framework requires (aws-cdk-lib
 * custom_resources.Provider, `totalTimeout`).
 */
export const BAKE_GATE_TOTAL_TIMEOUT = Duration.seconds(
  Math.floor(BakeGateLimits.CUSTOM_RESOURCE_TIMEOUT_SECONDS / BakeGateLimits.QUERY_INTERVAL_SECONDS) * BakeGateLimits.QUERY_INTERVAL_SECONDS);

/** What the provider's functions share with the AlarmRollback's other functions. */
export interface BakeGateProviderProps {
  readonly rollbackName: string;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly logGroupProps: logs.LogGroupProps;
  readonly encryptionKey?: kms.IKey;
  /** The rollback handler's environment: ledger, topic, namespace, dry run. */
  readonly handlerEnvironment: Record<string, string>;
  readonly ledger: dynamodb.ITable;
  readonly notificationTopic?: sns.ITopic;
}

/**
 * The bake gates' provider, one per AlarmRollback, in its stack: the two
 * functions of the bundle's `bake-gate.mjs` (onEvent starts a bake,
 * isComplete reads the alarms every 30 s) behind a CDK Provider framework.
 *
 * The framework's entry function has a name fixed from this construct's
 * address, so a gate in another stack names it by an ARN built in that
 * stack: the service token is no cross-stack reference, and a guarded stack
 * whose alarms the AlarmRollback watches makes no dependency cycle.
 */
export class BakeGateProvider extends Construct {
  public readonly onEventFunction: lambda.Function;
  public readonly isCompleteFunction: lambda.Function;
  public readonly provider: cr.Provider;
  /** The framework's entry function's name, unique to this AlarmRollback (Lambda: up to 64 characters). */
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: BakeGateProviderProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', props.logGroupProps);
    const gateFunction = (fid: string, exportName: string, timeout: Duration, what: string) => {
      const fn = new lambda.Function(this, fid, {
        description: `${what} (${props.rollbackName})`.slice(0, 256),
        runtime: props.runtime,
        architecture: props.architecture,
        handler: `bake-gate.${exportName}`,
        code: lambda.Code.fromAsset(HANDLER_ASSET_PATH),
        memorySize: 256,
        timeout,
        logGroup,
        environment: props.handlerEnvironment,
        environmentEncryption: props.encryptionKey,
      });
      fn.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
      grantEnvironmentDecrypt(fn, props.encryptionKey);
      grantLedgerAccess(props.ledger, fn);
      props.notificationTopic?.grantPublish(fn);
      grantDescribeAlarms(fn);
      return fn;
    };
    // onEvent reads the stack once; isComplete reads the alarms (10 s budget) and may claim and record.
    this.onEventFunction = gateFunction('OnEvent', 'onEvent', Duration.seconds(30), 'Starts the bake of a CloudFormation stack update');
    this.isCompleteFunction = gateFunction('IsComplete', 'isComplete', Duration.seconds(60), 'Reads the alarms during a stack update\'s bake');
    this.functionName = `AlarmRollbackBakeGate-${this.node.addr.slice(0, 32)}`;
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      isCompleteHandler: this.isCompleteFunction,
      queryInterval: Duration.seconds(BakeGateLimits.QUERY_INTERVAL_SECONDS),
      totalTimeout: BAKE_GATE_TOTAL_TIMEOUT,
      providerFunctionName: this.functionName,
      logGroup,
    });
  }

  /** Lets the gate's functions read `stackArn` (the guarded stack's ARNs), and nothing else of CloudFormation. */
  public grantReadStack(stackArn: string): void {
    for (const fn of [this.onEventFunction, this.isCompleteFunction]) {
      iam.Grant.addToPrincipal({ grantee: fn, actions: BAKE_GATE_STACK_ACTIONS, resourceArns: [stackArn] });
    }
  }

  /** The service token, as an ARN built in `stack` (the guarded stack, in this provider's account and Region). */
  public serviceTokenIn(stack: Stack): string {
    return stack.formatArn({ service: 'lambda', resource: 'function', resourceName: this.functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }
}

/** What a gate reads: its target's name, alarms and rules. */
export interface BakeGateOptions {
  readonly bake: Duration;
  readonly target: string;
  readonly alarmArns: readonly string[];
  readonly triggerStates: readonly string[];
  readonly actOnPausedAlarms: boolean;
  /** The start gate (`blockDeploymentsWhileAlarming`): an alarm firing since before the update fails the bake too. */
  readonly blockStart: boolean;
  readonly alarmReadFailure: AlarmReadFailure;
}

/**
 * Places the bake gate in `guarded`: a custom resource that depends on every
 * other resource of the stack and carries a hash of them, so every update
 * that changes something ends with the bake. CloudFormation waits for it up
 * to its `ServiceTimeout`, set to the maximum, 3600 s, so a change of the
 * default cannot shorten a bake (AWS::CloudFormation::CustomResource).
 */
export function addBakeGate(scope: IConstruct, guarded: Stack, provider: BakeGateProvider, options: BakeGateOptions): CfnResource {
  const seconds = checkBake(scope, options.bake);
  if (guarded.node.tryFindChild(BAKE_GATE_ID)) {
    throw validationError(scope,
      `stack ${guarded.node.path} already has a bake gate from another target`,
      'Give bake on one target of the stack: one gate holds the whole update; list every alarm that should fail it on that target');
  }
  const holder = new Construct(guarded, BAKE_GATE_ID);
  const gate = new CfnResource(holder, 'Resource', {
    type: BAKE_GATE_RESOURCE_TYPE,
    properties: {
      ServiceToken: provider.serviceTokenIn(guarded),
      ServiceTimeout: BakeGateLimits.CUSTOM_RESOURCE_TIMEOUT_SECONDS,
      [BakeGateProperty.TEMPLATE_HASH]: templateHashToken(holder),
      [BakeGateProperty.BAKE_SECONDS]: String(seconds),
      [BakeGateProperty.TARGET]: options.target,
      [BakeGateProperty.ALARM_ARNS]: [...options.alarmArns],
      [BakeGateProperty.TRIGGER_STATES]: [...options.triggerStates],
      [BakeGateProperty.ACT_ON_PAUSED_ALARMS]: String(options.actOnPausedAlarms),
      [BakeGateProperty.BLOCK_START]: String(options.blockStart),
      [BakeGateProperty.ALARM_READ_FAILURE]: options.alarmReadFailure,
    },
  });
  holdUpdateOpen(gate);
  // The provider's functions must exist before the gate is created or updated.
  // The reason is what CDK prints if something else of the AlarmRollback's
  // stack reads the guarded stack (an AppConfig environment of another
  // target, say) and makes a cycle that checkGateAlarms cannot see.
  guarded.addDependency(Stack.of(provider), BAKE_GATE_DEPENDENCY_REASON);
  return gate;
}
