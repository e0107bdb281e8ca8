// AWS ended support for AWS Proton on 2026-10-07 (AWS Proton Service
// Deprecation and Migration Guide), and RollbackTarget.protonEnvironment is
// deprecated. Everything the construct knows about Proton is in this file and
// in that factory, so the target can be removed without touching anything else.
import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PROTON_ENVIRONMENT_STATUS_CHANGE, PROTON_SOURCE, ProtonEnvironmentTargetInput, Rules, TargetKind } from '../../contract';
import { describeValue, isLiteral, validationError } from '../../private/validate';
import { TargetBindContext, TargetDefinition } from '../target-definition';

/**
 * Options of an AWS Proton environment target: the environment whose
 * in-progress deployment an alarm cancels.
 *
 * @deprecated AWS ended support for AWS Proton on 2026-10-07; see
 * `RollbackTarget.protonEnvironment`.
 */
export interface ProtonEnvironmentTargetOptions {
  /**
   * The name of the Proton environment (1 to 100 letters, digits, `_` or `-`,
   * starting with a letter or digit).
   */
  readonly environmentName: string;
}

/** The id of the synth warning every Proton target gets. */
export const PROTON_DEPRECATED_WARNING = 'cdk-alarm-rollback:protonDeprecated';

/** Cancels the in-progress deployment of one Proton environment. */
export class ProtonEnvironmentTarget implements TargetDefinition {
  constructor(private readonly options: ProtonEnvironmentTargetOptions) {}

  public bind(scope: IConstruct, context: TargetBindContext): ProtonEnvironmentTargetInput {
    const environmentName = this.options.environmentName;
    Annotations.of(scope).addWarningV2(PROTON_DEPRECATED_WARNING,
      'RollbackTarget.protonEnvironment is deprecated: AWS ended support for AWS Proton on 2026-10-07, after which Proton environments '
      + 'can no longer be reached, so this target cannot cancel anything. Move the environment\'s deployments off Proton and remove this target; '
      + 'it will be removed in a later release.');
    if (isLiteral(environmentName) && !Rules.PROTON_RESOURCE_NAME.test(environmentName)) {
      throw validationError(scope,
        `environmentName is ${describeValue(environmentName)}, which is not a Proton environment name`,
        `Use the name of the environment as Proton shows it: ${Rules.PROTON_RESOURCE_NAME.says}`);
    }

    context.grant(['proton:GetEnvironment', 'proton:CancelEnvironmentDeployment'], [Stack.of(scope).formatArn({
      service: 'proton',
      resource: 'environment',
      resourceName: environmentName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    })]);

    const input: ProtonEnvironmentTargetInput = {
      kind: TargetKind.PROTON_ENVIRONMENT,
      name: context.name,
      alarmArns: context.alarmArns,
      triggerStates: context.triggerStates,
      actOnPausedAlarms: context.actOnPausedAlarms,
      environmentName,
    };

    // Proton has no synchronous hook like AppConfig's extensions: the start
    // of an environment deployment is seen through its status-change event
    // going IN_PROGRESS ("AWS Proton events", EventBridge events reference),
    // which EventBridge delivers on a best-effort basis. The handler reads
    // the alarms then, and cancels through the same claim as the alarm path.
    context.stateChecks?.addStartRules({
      source: [PROTON_SOURCE],
      detailType: [PROTON_ENVIRONMENT_STATUS_CHANGE],
      detail: { name: [environmentName], status: ['IN_PROGRESS'] },
    }, input, `Cancels a deployment of Proton environment ${environmentName} that starts while one of its alarms fires`);

    return input;
  }
}
