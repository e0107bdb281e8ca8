import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { IConstruct } from 'constructs';
import { AppConfigTargetInput, Rules, TargetKind } from '../../contract';
import { describeDuration, describeValue, isLiteral, validationError } from '../../private/validate';
import { TargetBindContext, TargetDefinition } from '../target-definition';

const MAX_REVERT_HOURS = Rules.MAX_REVERT_WINDOW_SECONDS / 3600;

/**
 * Options of an AWS AppConfig target: the environment whose deployments an
 * alarm stops.
 *
 * Name the application with `application` or `applicationId` (or leave both
 * out when `environment` is given: an environment knows its application), and
 * the environment with `environment` or `environmentId`.
 */
export interface AppConfigTargetOptions {
  /**
   * The AppConfig application.
   *
   * @default - `applicationId`, or the application of `environment`
   */
  readonly application?: appconfig.IApplication;

  /**
   * The ID of the AppConfig application (7 lowercase letters or digits), for
   * an application created elsewhere. Give either this or `application`.
   *
   * @default - `application`, or the application of `environment`
   */
  readonly applicationId?: string;

  /**
   * The AppConfig environment whose deployments are stopped.
   *
   * @default - `environmentId` must be given
   */
  readonly environment?: appconfig.IEnvironment;

  /**
   * The ID of the AppConfig environment (7 lowercase letters or digits), for
   * an environment created elsewhere. Give either this or `environment`.
   *
   * @default - `environment` must be given
   */
  readonly environmentId?: string;

  /**
   * Also revert a deployment that already completed, if it completed at most
   * this long before the alarm. AppConfig reverts a completed deployment only
   * within 72 hours of its completion, so the window can be at most
   * `Duration.hours(72)`; it must be a whole number of seconds.
   *
   * @default - completed deployments are not reverted; only in-progress deployments are stopped
   */
  readonly revertCompletedWithin?: Duration;

  /**
   * Refuse to start a deployment of this environment while one of the
   * target's alarms fires (AppConfig's PRE_START_DEPLOYMENT action point).
   * To push a fix through while an alarm fires, disable the alarm's actions
   * (`aws cloudwatch disable-alarm-actions`), deploy, and enable them again:
   * a paused alarm neither blocks nor rolls back, unless `actOnPausedAlarms`.
   * Ignored when the AlarmRollback's `alarmStateChecks` is false.
   *
   * @default false
   */
  readonly blockDeploymentsWhileAlarming?: boolean;
}

/** Stops (and optionally reverts) the deployments of one AppConfig environment. */
export class AppConfigTarget implements TargetDefinition {
  constructor(private readonly options: AppConfigTargetOptions) {}

  public bind(scope: IConstruct, context: TargetBindContext): AppConfigTargetInput {
    const applicationId = this.applicationId(scope);
    const environmentId = this.environmentId(scope);
    const revertCompletedWithinSeconds = this.revertWindowSeconds(scope);

    const stack = Stack.of(scope);
    const applicationArn = stack.formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: applicationId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const environmentArn = `${applicationArn}/environment/${environmentId}`;

    // The Service Authorization Reference lists the application and the
    // environment as required resources of all three actions, and the
    // deployment of the last two: each must be allowed, or AppConfig answers
    // AccessDenied. Deployment numbers are assigned when a deployment starts,
    // so the deployments of this one environment are the narrowest resource
    // GetDeployment and StopDeployment accept. ListDeployments acts on no
    // deployment, so sharing one statement grants nothing more.
    //
    // An environment ID of 7 characters, the longest AppConfig's Id pattern
    // ([a-z0-9]{4,7}, AppConfig API reference) allows, is the start of no
    // other environment's ID, so `environment/<id>*` is exactly the
    // environment and its deployments, in one ARN instead of two: it keeps
    // a few hundred targets within IAM's policy size quotas. Shorter or
    // unknown IDs get both ARNs.
    const environmentResources = isLiteral(environmentId) && environmentId.length === Rules.APPCONFIG_ID_MAX_LENGTH
      ? [`${environmentArn}*`]
      : [environmentArn, `${environmentArn}/deployment/*`];
    context.grant(
      ['appconfig:ListDeployments', 'appconfig:GetDeployment', 'appconfig:StopDeployment'],
      [applicationArn, ...environmentResources],
    );

    context.stateChecks?.checkAppConfigEnvironment(environmentArn, {
      name: context.name,
      applicationId,
      environmentId,
      triggerStates: context.triggerStates,
      actOnPausedAlarms: context.actOnPausedAlarms,
      blockStart: this.options.blockDeploymentsWhileAlarming ?? false,
    });

    return {
      kind: TargetKind.APPCONFIG,
      name: context.name,
      alarmArns: context.alarmArns,
      triggerStates: context.triggerStates,
      actOnPausedAlarms: context.actOnPausedAlarms,
      applicationId,
      environmentId,
      revertCompletedWithinSeconds,
    };
  }

  private applicationId(scope: IConstruct): string {
    const { application, applicationId, environment } = this.options;
    if (application && applicationId !== undefined) {
      throw validationError(scope,
        `both application (${application.node.path}) and applicationId ${describeValue(applicationId)} are given`,
        'Give one of them: application for an IApplication you hold, applicationId for an application created elsewhere');
    }
    const id = application?.applicationId ?? applicationId ?? environment?.applicationId;
    if (id === undefined) {
      throw validationError(scope,
        'the AppConfig target names no application: application, applicationId and environment are all missing',
        'Pass environment (an appconfig.IEnvironment), or application or applicationId together with environmentId');
    }
    checkId(scope, 'applicationId', id);
    const environmentAppId = environment?.applicationId;
    if (isLiteral(id) && isLiteral(environmentAppId) && environmentAppId !== id) {
      throw validationError(scope,
        `environment ${environment!.node.path} belongs to application ${describeValue(environmentAppId)}, not to ${describeValue(id)}`,
        'Pass the environment of the application you name, or leave application and applicationId out to use the environment\'s own');
    }
    return id;
  }

  private environmentId(scope: IConstruct): string {
    const { environment, environmentId } = this.options;
    if (environment && environmentId !== undefined) {
      throw validationError(scope,
        `both environment (${environment.node.path}) and environmentId ${describeValue(environmentId)} are given`,
        'Give one of them: environment for an IEnvironment you hold, environmentId for an environment created elsewhere');
    }
    const id = environment?.environmentId ?? environmentId;
    if (id === undefined) {
      throw validationError(scope,
        'the AppConfig target names no environment: environment and environmentId are both missing',
        'Pass environment (an appconfig.IEnvironment) or environmentId (the 7-character AppConfig environment ID)');
    }
    checkId(scope, 'environmentId', id);
    return id;
  }

  private revertWindowSeconds(scope: IConstruct): number {
    const window = this.options.revertCompletedWithin;
    if (window === undefined) {
      return 0;
    }
    if (window.isUnresolved()) {
      throw validationError(scope,
        'revertCompletedWithin is a token',
        `Use a literal duration, such as Duration.hours(24), so the window can be checked against AppConfig's ${MAX_REVERT_HOURS}-hour limit`);
    }
    const milliseconds = window.toMilliseconds();
    if (milliseconds <= 0 || milliseconds % 1000 !== 0) {
      throw validationError(scope,
        `revertCompletedWithin is ${describeDuration(window)}; it must be a whole number of seconds greater than zero`,
        'Use a duration such as Duration.hours(24), or leave revertCompletedWithin out to never revert completed deployments');
    }
    const seconds = milliseconds / 1000;
    if (seconds > Rules.MAX_REVERT_WINDOW_SECONDS) {
      throw validationError(scope,
        `revertCompletedWithin is ${describeDuration(window)}; AppConfig reverts only within ${MAX_REVERT_HOURS} hours of completion`,
        `Use Duration.hours(${MAX_REVERT_HOURS}) or less`);
    }
    return seconds;
  }
}

function checkId(scope: IConstruct, field: string, id: string): void {
  if (isLiteral(id) && !Rules.APPCONFIG_ID.test(id)) {
    throw validationError(scope,
      `${field} is ${describeValue(id)}, which is not an AppConfig ID (${Rules.APPCONFIG_ID.says})`,
      `Pass the ID AppConfig assigned (aws appconfig list-${field === 'applicationId' ? 'applications' : 'environments'}), not a name or an ARN`);
  }
}
