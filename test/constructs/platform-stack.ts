// Stacks as a platform team builds them at scale, for the quota test and the
// synth-scale bench: many targets, alarms created in the app (names that
// CloudFormation generates) beside alarms imported by ARN with long names,
// an application per target, in the longest partition.
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { StackEnvironment, Template } from '../../local/simulate/intrinsics';
import { AlarmRollback, RollbackTarget } from '../../src';

/** Where the environment-agnostic stacks are deployed: the longest partition name (aws-us-gov). */
export const DEPLOYED_ACCOUNT = '123456789012';
export const DEPLOYED_REGION = 'us-gov-west-1';
/** Long enough that CloudFormation shortens the names it generates. */
const STACK_NAME = 'PlatformDeploymentGuardrailsRollbackStack';

export interface PlatformStackOptions {
  readonly targets: number;
  readonly alarmsPerTarget: number;
  /** Every how many targets one is a Proton environment (0: none). @default 0 */
  readonly protonEvery?: number;
  /** Every how many targets one has its AppConfig application and environment created in the app (0: none). @default 0 */
  readonly createdEnvironmentEvery?: number;
  /** Import the AppConfig IDs from another stack's exports: their length is unknown at synth time. @default false */
  readonly importedIds?: boolean;
  /** The AlarmRollback's `alarmStateChecks`. @default true */
  readonly alarmStateChecks?: boolean;
}

/** The longest alarm name CloudWatch accepts (255), distinct per target and alarm. */
export function longAlarmName(target: number, alarm: number): string {
  const name = `service-${target}-alarm-${alarm}-`;
  return name + 'x'.repeat(255 - name.length);
}

/**
 * A stack with one AlarmRollback and `targets` targets. Alarms alternate:
 * created in the app with a generated name, imported by a literal ARN with a
 * 255-character name, imported by name (an ARN of tokens).
 */
export function platformStack(options: PlatformStackOptions): { app: App; stack: Stack; rollback: AlarmRollback } {
  const app = new App();
  const stack = new Stack(app, STACK_NAME);
  const rollback = new AlarmRollback(stack, 'Rollback', { alarmStateChecks: options.alarmStateChecks });
  for (let t = 0; t < options.targets; t++) {
    const alarms = Array.from({ length: options.alarmsPerTarget }, (_, a): cloudwatch.IAlarm => {
      switch ((t + a) % 3) {
        case 0:
          return new cloudwatch.Alarm(stack, `Alarm${t}x${a}`, {
            metric: new cloudwatch.Metric({ namespace: 'Service', metricName: `Errors${t}x${a}` }),
            threshold: 1,
            evaluationPeriods: 1,
          });
        case 1:
          return cloudwatch.Alarm.fromAlarmArn(stack, `Imported${t}x${a}`,
            `arn:aws-us-gov:cloudwatch:${DEPLOYED_REGION}:${DEPLOYED_ACCOUNT}:alarm:${longAlarmName(t, a)}`);
        default:
          return cloudwatch.Alarm.fromAlarmName(stack, `Named${t}x${a}`, longAlarmName(t, a));
      }
    });
    rollback.addTarget(`Target${t}`, { alarms, target: targetOf(stack, t, options) });
  }
  return { app, stack, rollback };
}

function targetOf(stack: Stack, t: number, options: PlatformStackOptions): RollbackTarget {
  if (options.protonEvery && t % options.protonEvery === 0) {
    const name = `environment-${t}-`;
    return RollbackTarget.protonEnvironment({ environmentName: name + 'p'.repeat(100 - name.length) });
  }
  if (options.createdEnvironmentEvery && t % options.createdEnvironmentEvery === 0) {
    const application = new appconfig.Application(stack, `App${t}`);
    return RollbackTarget.appConfig({ environment: new appconfig.Environment(stack, `Env${t}`, { application }) });
  }
  if (options.importedIds) {
    return RollbackTarget.appConfig({ applicationId: Fn.importValue(`app-${t}`), environmentId: Fn.importValue(`env-${t}`) });
  }
  const id = String(t).padStart(6, '0');
  return RollbackTarget.appConfig({ applicationId: `a${id}`, environmentId: `e${id}` });
}

/** The synthesized template and where it is deployed. */
export function synthesize(app: App, stack: Stack): { template: Template; environment: StackEnvironment } {
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  return { template, environment: { stackName: stack.stackName, account: DEPLOYED_ACCOUNT, region: DEPLOYED_REGION } };
}
