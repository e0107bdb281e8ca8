import { IConstruct } from 'constructs';
import { TargetInput, TargetKind } from '../contract';
import { AppConfigTargetOptions } from './appconfig/appconfig-target';
import { CloudFormationStackTargetOptions } from './cloudformation-stack/cloudformation-stack-target';
import { ProtonEnvironmentTargetOptions } from './proton-environment/proton-environment-target';
import { TARGET_KINDS } from './registry';
import { TargetBindContext, TargetDefinition } from './target-definition';

/**
 * What an alarm rolls back: an AWS AppConfig environment, a CloudFormation
 * stack's update (or, deprecated, an AWS Proton environment). Create one
 * with the static factories and pass it to `AlarmRollback.addTarget`.
 *
 * @example
 * declare const rollback: AlarmRollback;
 * declare const environment: appconfig.IEnvironment;
 * declare const errorAlarm: cloudwatch.IAlarm;
 * rollback.addTarget('ConfigRollout', {
 *   alarms: [errorAlarm],
 *   target: RollbackTarget.appConfig({ environment }),
 * });
 */
export class RollbackTarget {
  /**
   * Stops the in-progress deployment of an AppConfig environment (with
   * `AllowRevert`, so it rolls back), and optionally reverts a deployment that
   * completed within `revertCompletedWithin`.
   *
   * The handler is granted `appconfig:ListDeployments` on the environment and
   * `appconfig:GetDeployment` and `appconfig:StopDeployment` on the
   * environment's deployments only.
   */
  public static appConfig(options: AppConfigTargetOptions): RollbackTarget {
    return new RollbackTarget(TARGET_KINDS[TargetKind.APPCONFIG](options));
  }

  /**
   * Cancels the in-progress deployment of an AWS Proton environment.
   *
   * The handler is granted `proton:GetEnvironment` and
   * `proton:CancelEnvironmentDeployment` on that one environment. Synth warns
   * (`cdk-alarm-rollback:protonDeprecated`) for every Proton target.
   *
   * @deprecated AWS ended support for AWS Proton on 2026-10-07: after that
   * date the Proton console and Proton resources can no longer be reached
   * (AWS Proton Service Deprecation and Migration Guide). This target still
   * works and is tested, and will be removed in a later release; move
   * environment deployments off Proton.
   */
  public static protonEnvironment(options: ProtonEnvironmentTargetOptions): RollbackTarget {
    return new RollbackTarget(TARGET_KINDS[TargetKind.PROTON_ENVIRONMENT](options));
  }

  /**
   * Cancels the update in progress of a CloudFormation stack
   * (`CancelUpdateStack`), which CloudFormation then rolls back whole: every
   * resource the update changed returns to its previous configuration. Only
   * an update still `UPDATE_IN_PROGRESS` can be cancelled; one that completed
   * before the alarm's event arrived is recorded as `COMPLETED_BEFORE_STOP`
   * and notified (CancelUpdateStack, CloudFormation API Reference).
   *
   * The handler is granted `cloudformation:DescribeStacks`,
   * `cloudformation:DescribeStackEvents` and
   * `cloudformation:CancelUpdateStack` on that one stack's ARNs
   * (`stack/<name>/*`). A nested stack is guarded through its root stack. The
   * stack must be in the AlarmRollback's account and Region, and must not be
   * the stack that holds the AlarmRollback.
   */
  public static cloudFormationStack(options: CloudFormationStackTargetOptions): RollbackTarget {
    return new RollbackTarget(TARGET_KINDS[TargetKind.CLOUDFORMATION_STACK](options));
  }

  // Private, so only the factories above make targets and jsii publishes no
  // initializer: every kind of target is a definition in src/targets/<kind>/,
  // listed in src/targets/registry.ts.
  private constructor(private readonly definition: TargetDefinition) {}

  /**
   * Validates the target, grants the handler what it needs and returns the
   * rule input. Called once per `addTarget`.
   *
   * @internal
   */
  public _bind(scope: IConstruct, context: TargetBindContext): TargetInput {
    return this.definition.bind(scope, context);
  }
}
