// The alarm-state check on the construct side, in one place: its function
// (with its log group, environment and grants), the AppConfig extension and
// its associations, and the rules on a deployment starting (Proton, stack
// updates with blockDeploymentsWhileAlarming). An alarm
// already firing when a deployment starts sends no event, so the alarms'
// current state is read when a deployment starts and at every tick.
import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmStateExtension } from './alarm-state-extension';
import { ALARM_READ_BUDGET, ALARM_STATE_TIMEOUT, AlarmStateFunction } from './alarm-state-function';
import { addStartRules } from './start-rules';
import { AlarmReadFailure, AlarmStateTargetParameter, CHECKED_ALARM_TYPES, HandlerEnv, parseAlarmArn, TargetInput } from '../contract';
import { isInStackEnvironment } from '../forwarding/alarm-locations';
import { grantDescribeAlarms } from '../private/describe-alarms-grant';
import { grantEnvironmentDecrypt } from '../private/encryption';
import { grantLedgerAccess } from '../private/ledger';
import { RuleDelivery } from '../private/rule-delivery';
import { uncheckedAlarmKinds } from '../private/target-alarms';
import { AlarmStateChecks } from '../targets/target-definition';

/** What the check is made from: the AlarmRollback's choices and resources. */
export interface AlarmStateCheckProps {
  readonly rollbackName: string;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly reservedConcurrency?: number;
  /** The handler's log group settings; the check's log group has the same. */
  readonly logGroupProps: logs.LogGroupProps;
  readonly encryptionKey?: kms.IKey;
  /** The rollback handler's environment; the check's adds its own settings to it. */
  readonly handlerEnvironment: Record<string, string>;
  readonly alarmReadFailure?: AlarmReadFailure;
  readonly ledger: dynamodb.ITable;
  readonly notificationTopic?: sns.ITopic;
  /** The AlarmRollback's rule delivery: the start rules go out like the alarm rules. */
  readonly delivery: RuleDelivery;
}

/** One target's part of the check, handed to its kind's `bind` and finished after the alarm rules. */
export interface TargetStateChecks {
  readonly checks: AlarmStateChecks;
  /** Adds the start rules the target's kind asked for; called after its alarm rules, so a target's rules keep their order. */
  addStartRules(): events.Rule[];
}

/**
 * The alarm-state check of one AlarmRollback. Its constructs are made in the
 * AlarmRollback's scope, with the ids they always had, so templates and
 * logical IDs do not depend on where this code lives.
 */
export class AlarmStateCheck {
  public readonly function: lambda.Function;
  private stateExtension?: AlarmStateExtension;

  constructor(private readonly rollback: Construct, private readonly props: AlarmStateCheckProps) {
    const key = props.encryptionKey;
    const checkLogs = new logs.LogGroup(rollback, 'AlarmStateLogs', props.logGroupProps);
    this.function = new AlarmStateFunction(rollback, 'AlarmState', {
      runtime: props.runtime,
      architecture: props.architecture,
      reservedConcurrentExecutions: props.reservedConcurrency,
      description: `Checks alarm state when an AppConfig deployment starts and at every tick (${props.rollbackName})`.slice(0, 256),
      logGroup: checkLogs,
      environmentEncryption: key,
      environment: {
        ...props.handlerEnvironment,
        // The check's claims are its own: one older than its timeout belongs to an invocation that died.
        [HandlerEnv.CLAIM_LEASE_SECONDS]: String(ALARM_STATE_TIMEOUT.toSeconds()),
        [HandlerEnv.ALARM_READ_FAILURE]: props.alarmReadFailure === AlarmReadFailure.CONTINUE
          ? AlarmReadFailure.CONTINUE : AlarmReadFailure.ROLL_BACK,
        [HandlerEnv.ALARM_READ_BUDGET_MS]: String(ALARM_READ_BUDGET.toMilliseconds()),
      },
    });
    grantEnvironmentDecrypt(this.function, key);
    grantLedgerAccess(props.ledger, this.function);
    props.notificationTopic?.grantPublish(this.function);
    grantDescribeAlarms(this.function);
  }

  /** The AppConfig extension, once an AppConfig target has been associated with it. */
  public get extension(): AlarmStateExtension | undefined {
    return this.stateExtension;
  }

  /**
   * The checks one target's kind may ask for: an AppConfig environment's
   * association, or rules on a deployment starting.
   *
   * @param scope the target's construct
   * @param id the target's id
   * @param alarms the target's listed alarms
   * @param alarmArns their ARNs, as resolved for the rules
   * @param namePrefix the AlarmRollback's rule name prefix, unique per account and Region
   */
  public forTarget(scope: Construct, id: string, alarms: cloudwatch.IAlarm[], alarmArns: string[], namePrefix: string): TargetStateChecks {
    const startRules: Array<[Record<string, unknown>, TargetInput, string]> = [];
    return {
      checks: {
        checkAppConfigEnvironment: (environmentArn, parameter) => {
          warnUncheckedKinds(scope, alarms);
          this.checkAppConfigEnvironment(scope, environmentArn, parameter, alarmArns, namePrefix);
        },
        // The start check reads listed alarms only: a target watched by tags
        // alone has nothing for it to read, so it gets no start rule.
        addStartRules: (pattern, input, description) => {
          if (alarmArns.length > 0) startRules.push([pattern, input, description]);
        },
      },
      addStartRules: () => startRules.flatMap(([pattern, input, description]) =>
        addStartRules(this.props.delivery, scope, id, input, pattern, description)),
    };
  }

  /**
   * Associates the extension with one AppConfig environment, listing the
   * alarms the check can read: DescribeAlarms reads the alarms of the
   * function's own account and Region only, so alarms elsewhere are left to
   * the event path, with a warning.
   */
  private checkAppConfigEnvironment(scope: Construct, environmentArn: string, parameter: AlarmStateTargetParameter,
    alarmArns: string[], namePrefix: string): void {
    const elsewhere: string[] = [];
    // Every literal ARN here passed resolveAlarmArns, so it parses.
    const readable = alarmArns.filter((arn) => {
      const here = isInStackEnvironment(this.rollback, arn);
      if (!here) elsewhere.push(parseAlarmArn(arn)!.alarmName);
      return here;
    });
    if (elsewhere.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmNotReadable',
        `${elsewhere.length} alarm(s) of this target (${elsewhere.slice(0, 3).join(', ')}${elsewhere.length > 3 ? ', ...' : ''}) are in another account or Region: `
        + 'the alarm-state check cannot read them, so only their alarm events roll the target back.');
    }
    if (readable.length === 0) {
      return;
    }
    this.stateExtension ??= new AlarmStateExtension(this.rollback, 'AlarmStateExtension', {
      checkFunction: this.function,
      // The rule name prefix is unique per AlarmRollback in an account and Region; so is the extension name.
      name: `${namePrefix}AlarmState`,
      startGateName: `${namePrefix}AlarmGate`,
      rollbackName: this.props.rollbackName,
    });
    this.stateExtension.associate(scope, environmentArn, parameter, readable);
  }
}

/**
 * Says at synth which alarms the alarm-state check cannot read: DescribeAlarms
 * returns metric, composite and log alarms only, so any other resource passed
 * as an alarm would be reported MISSING at every tick.
 */
function warnUncheckedKinds(scope: Construct, alarms: cloudwatch.IAlarm[]): void {
  const unchecked = uncheckedAlarmKinds(alarms);
  if (unchecked.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmKindNotChecked',
      `${unchecked.length} alarm(s) of this target are not CloudWatch metric, composite or log alarms: ${unchecked.slice(0, 3).join(', ')}`
      + `${unchecked.length > 3 ? ', ...' : ''}. The alarm-state check reads ${Object.keys(CHECKED_ALARM_TYPES).join(', ')} only and will report them MISSING `
      + 'at every deployment; only their alarm events roll the target back. Pass the CloudWatch alarm itself (cloudwatch.Alarm, cloudwatch.CompositeAlarm, '
      + 'or an AWS::CloudWatch::LogAlarm), or a composite alarm over it.');
  }
}
