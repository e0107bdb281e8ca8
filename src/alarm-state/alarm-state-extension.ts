import { Stack, Token } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { AlarmStateTargetParameter, ExtensionParameter } from '../contract';
import { resolvedLength } from '../private/resolved-length';
import { describeValue, validationError } from '../private/validate';

/** Longest extension name: the `Name` shape of CreateExtension (botocore appconfig 2019-10-09: 1 to 64). */
const EXTENSION_NAME_MAX_CHARS = 64;

/** `Alarms1` .. `Alarms9`. */
const ALARM_PARAMETERS = Array.from({ length: ExtensionParameter.ALARMS_PARAMETER_COUNT },
  (_, index) => `${ExtensionParameter.ALARMS_PREFIX}${index + 1}`);

export interface AlarmStateExtensionProps {
  /** The alarm-state check both actions invoke. */
  readonly checkFunction: lambda.IFunction;
  /** Unique in the account and Region: the extension's name. */
  readonly name: string;
  /** Unique in the account and Region: the name of the start gate's extension, made with the first target that blocks starts. */
  readonly startGateName: string;
  /** Whose check this is, for the description. */
  readonly rollbackName: string;
}

/**
 * The AppConfig extension of one AlarmRollback and its associations, one
 * per AppConfig target environment.
 *
 * Both actions are synchronous: at PRE_START_DEPLOYMENT an error refuses the
 * start, at AT_DEPLOYMENT_TICK an error (or the ROLL_BACK directive) makes
 * AppConfig stop the workflow and roll back ("Step 3: Create a custom AWS
 * AppConfig extension", AWS AppConfig User Guide). ON_* actions would be
 * asynchronous and their errors ignored, so none is used.
 *
 * The PRE_START_DEPLOYMENT action lives on an extension of its own, the
 * start gate, associated only with the environments of targets that set
 * `blockDeploymentsWhileAlarming`: AppConfig calls every action of an
 * extension on every environment it is associated with, so a start action
 * on the shared extension would put the check (and its throttles, cold
 * starts and faults) in front of every start of every target, exactly when a
 * fix has to go out.
 */
export class AlarmStateExtension extends Construct {
  /** The extension, as aws-cdk-lib's interface. */
  public readonly extension: appconfig.IExtension;
  /** The role AppConfig assumes to invoke the check. */
  public readonly invokeRole: iam.Role;
  private readonly cfn: appconfig.CfnExtension;
  /** The PRE_START_DEPLOYMENT extension, made with the first target that blocks starts. */
  private startGate?: appconfig.CfnExtension;
  private readonly props: AlarmStateExtensionProps;
  /** Resolved environment ARN -> the target that holds its association. */
  private readonly environments = new Map<string, string>();

  constructor(scope: Construct, id: string, props: AlarmStateExtensionProps) {
    super(scope, id);
    this.props = props;
    for (const name of [props.name, props.startGateName]) {
      if (name.length > EXTENSION_NAME_MAX_CHARS) {
        throw validationError(this, `the extension name ${describeValue(name)} is longer than ${EXTENSION_NAME_MAX_CHARS} characters`,
          'Use a shorter id for the AlarmRollback');
      }
    }

    // AppConfig calls a Lambda action with the action's role ("Step 2:
    // Configure permissions for a custom AWS AppConfig extension", AWS
    // AppConfig User Guide). The role allows invoking this one function and
    // nothing else, so no resource-based permission for
    // appconfig.amazonaws.com is added to the function: such a permission
    // would let any AppConfig extension of any account that names the
    // function invoke it. The trust policy has no confused-deputy condition:
    // AppConfig documents none for this role (see service-trust.ts).
    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
      description: `Lets AppConfig invoke the alarm-state check of ${props.rollbackName}`.slice(0, 1000),
      inlinePolicies: {
        InvokeAlarmStateCheck: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: [props.checkFunction.functionArn],
          })],
        }),
      },
    });

    this.cfn = this.newExtension('Resource', props.name,
      `Rolls back deployments while an alarm of the target fires (${props.rollbackName})`,
      'AT_DEPLOYMENT_TICK', 'RollBackWhileAlarming', 'Rolls the deployment back while an alarm fires');
    this.extension = appconfig.Extension.fromExtensionAttributes(this, 'Imported', {
      extensionId: this.cfn.attrId,
      extensionArn: this.cfn.attrArn,
      extensionVersionNumber: Token.asNumber(this.cfn.attrVersionNumber),
      name: props.name,
    });
  }

  /** One extension with one action invoking the check, and the parameters every association carries. */
  private newExtension(id: string, name: string, description: string,
    point: string, actionName: string, actionDescription: string): appconfig.CfnExtension {
    const parameters: Record<string, appconfig.CfnExtension.ParameterProperty> = {
      [ExtensionParameter.TARGET]: { required: true, description: 'The target: JSON of its name, IDs, trigger states and switches' },
    };
    for (const parameter of ALARM_PARAMETERS) {
      parameters[parameter] = { required: false, description: 'A JSON array of the target\'s alarm ARNs, continued in the next AlarmsN' };
    }
    return new appconfig.CfnExtension(this, id, {
      name,
      description: description.slice(0, 1024),
      // CfnExtension's Actions is untyped JSON: the keys are CloudFormation's own.
      actions: {
        [point]: [{
          Name: actionName,
          Description: actionDescription,
          Uri: this.props.checkFunction.functionArn,
          RoleArn: this.invokeRole.roleArn,
        }],
      },
      parameters,
    });
  }

  /**
   * Associates the extension with one target's environment, with the target
   * in `Target` and the alarms the check can read in `Alarms1`.. `Alarms9`.
   */
  public associate(scope: IConstruct, environmentArn: string, target: AlarmStateTargetParameter,
    alarmArns: string[]): appconfig.CfnExtensionAssociation {
    const stack = Stack.of(scope);
    const key = JSON.stringify(stack.resolve(environmentArn));
    const holder = this.environments.get(key);
    if (holder !== undefined) {
      // One association carries one Target; AppConfig calls every
      // association of the environment, and two associations of the same
      // extension on one resource are not documented to be allowed. Refuse
      // rather than guess which target's alarms a deployment answers to.
      throw validationError(scope,
        `the AppConfig environment ${describeId(target.environmentId)} of application ${describeId(target.applicationId)} is already the target ${describeValue(holder)} of this AlarmRollback; `
        + 'its alarm-state check holds one target per environment',
        'Give the environment one addTarget call with all of its alarms, or set alarmStateChecks: false');
    }
    this.environments.set(key, target.name);

    const groups = chunkAlarms(scope, alarmArns);
    const parameters: Record<string, string> = { [ExtensionParameter.TARGET]: stack.toJsonString(target) };
    const targetChars = resolvedLength(scope).ofJson(target, 128);
    if (targetChars > ExtensionParameter.MAX_VALUE_LENGTH) {
      throw validationError(scope,
        `the extension parameter ${ExtensionParameter.TARGET} of this target can be ${targetChars} characters once deployed; AppConfig allows ${ExtensionParameter.MAX_VALUE_LENGTH}`,
        'Use a shorter addTarget id');
    }
    groups.forEach((group, index) => {
      parameters[ALARM_PARAMETERS[index]] = stack.toJsonString(group);
    });
    const association = new appconfig.CfnExtensionAssociation(scope, 'AlarmStateCheck', {
      extensionIdentifier: this.cfn.attrId,
      extensionVersionNumber: Token.asNumber(this.cfn.attrVersionNumber),
      resourceIdentifier: environmentArn,
      parameters,
    });
    if (target.blockStart) {
      this.startGate ??= this.newExtension('StartGate', this.props.startGateName,
        `Refuses deployments to start while an alarm of the target fires (${this.props.rollbackName})`,
        'PRE_START_DEPLOYMENT', 'RefuseStartWhileAlarming', 'Refuses a start while an alarm fires');
      new appconfig.CfnExtensionAssociation(scope, 'AlarmStateStartGate', {
        extensionIdentifier: this.startGate.attrId,
        extensionVersionNumber: Token.asNumber(this.startGate.attrVersionNumber),
        resourceIdentifier: environmentArn,
        parameters,
      });
    }
    return association;
  }
}

/**
 * Cuts the alarm ARNs, in order, into the fewest JSON arrays of at most
 * 2,048 characters each once deployed (the ParameterValueMap values of
 * CreateExtensionAssociation, botocore appconfig 2019-10-09), tokens counted
 * at their longest. Fails when 9 values cannot hold them.
 */
export function chunkAlarms(scope: IConstruct, alarmArns: string[]): string[][] {
  const length = resolvedLength(scope);
  const limit = ExtensionParameter.MAX_VALUE_LENGTH;
  const groups: Array<{ arns: string[]; chars: number }> = [];
  let total = 0;
  for (const arn of alarmArns) {
    // Quotes, and a comma before every ARN but the first.
    const chars = length.ofAlarmArn(arn) + 2;
    total += chars + 1;
    const current = groups[groups.length - 1];
    if (current && current.chars + 1 + chars <= limit) {
      current.arns.push(arn);
      current.chars += 1 + chars;
    } else {
      // Brackets around the array.
      groups.push({ arns: [arn], chars: 2 + chars });
    }
  }
  if (groups.length > ALARM_PARAMETERS.length) {
    throw validationError(scope,
      `the ${alarmArns.length} alarm ARNs this target's alarm-state check reads can take ${total} characters once deployed; `
      + `its extension association holds ${ALARM_PARAMETERS.length} values of ${limit} characters (AppConfig allows ${ExtensionParameter.ALARMS_PARAMETER_COUNT + 1} parameters per extension)`,
      'Combine the alarms into a few cloudwatch.CompositeAlarm, give them shorter names, or set alarmStateChecks: false to rely on alarm events only');
  }
  return groups.map((group) => group.arns);
}

function describeId(id: string): string {
  return Token.isUnresolved(id) ? '(created in this app)' : describeValue(id);
}
