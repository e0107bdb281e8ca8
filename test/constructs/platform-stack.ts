// Stacks as a platform team builds them at scale, for the quota test and the
// synth-scale bench: many targets, alarms created in the app (names that
// CloudFormation generates) beside alarms imported by ARN with long names,
// an application per target, in the longest partition.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IntrinsicResolver, StackEnvironment, Template } from '../../local/simulate/intrinsics';
import { AlarmRollback, RollbackTarget } from '../../src';

/** Where the environment-agnostic stacks are deployed: the longest partition name (aws-us-gov). */
export const DEPLOYED_ACCOUNT = '123456789012';
export const DEPLOYED_REGION = 'us-gov-west-1';
/** Long enough that CloudFormation shortens the names it generates. */
const STACK_NAME = 'PlatformDeploymentGuardrailsRollbackStack';
const MONITORING_STACK_NAME = 'PlatformServiceMonitoringAlarmsStack';

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
  /**
   * Create the app's alarms in a monitoring stack of their own, as platform
   * teams often do, so the rollback stack imports their ARNs (cross-stack
   * references, tokens at synth time). @default false: in the rollback stack
   */
  readonly alarmsInMonitoringStack?: boolean;
  /** Create every alarm in the app (generated names), none imported with a long name. @default false: a third of each kind */
  readonly createdAlarmsOnly?: boolean;
  /** Give the alarms created in the app a name of their own (`alarmName`) instead of leaving it to CloudFormation. @default false */
  readonly namedAlarms?: boolean;
  /**
   * Create one AppConfig application in the monitoring stack and every
   * target's environment in it, beside the alarms: the layout the resource
   * error suggests ("move the alarms to another stack"). Needs
   * `alarmsInMonitoringStack`. @default false
   */
  readonly environmentsInMonitoringStack?: boolean;
  /** Add the rollback's dashboard (`addDashboard()`). @default false */
  readonly dashboard?: boolean;
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
export function platformStack(options: PlatformStackOptions): { app: App; stack: Stack; rollback: AlarmRollback; monitoring?: Stack } {
  const app = new App();
  const monitoring = options.alarmsInMonitoringStack ? new Stack(app, MONITORING_STACK_NAME) : undefined;
  const stack = new Stack(app, STACK_NAME);
  const rollback = new AlarmRollback(stack, 'Rollback', { alarmStateChecks: options.alarmStateChecks });
  if (options.dashboard) rollback.addDashboard();
  const application = options.environmentsInMonitoringStack ? new appconfig.Application(monitoring!, 'Application') : undefined;
  for (let t = 0; t < options.targets; t++) {
    const alarms = Array.from({ length: options.alarmsPerTarget }, (_, a): cloudwatch.IAlarm => {
      switch (options.createdAlarmsOnly ? 0 : (t + a) % 3) {
        case 0:
          return new cloudwatch.Alarm(monitoring ?? stack, `Alarm${t}x${a}`, {
            alarmName: options.namedAlarms ? `service-${t}-errors-${a}` : undefined,
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
    const target = application
      ? RollbackTarget.appConfig({ environment: new appconfig.Environment(monitoring!, `Env${t}`, { application }) })
      : targetOf(stack, t, options);
    rollback.addTarget(`Target${t}`, { alarms, target });
  }
  return { app, stack, rollback, monitoring };
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

/**
 * The synthesized template and where it is deployed; with `exporter`, the
 * values of the exports the template imports from it, resolved as
 * CloudFormation would deploy that stack.
 */
export function synthesize(app: App, stack: Stack, exporter?: Stack): {
  template: Template;
  environment: StackEnvironment;
  exports?: (name: string) => string | undefined;
} {
  const assembly = app.synth();
  keepForCfnLint(assembly.stacks);
  const template = assembly.getStackByName(stack.stackName).template as Template;
  const environment = { stackName: stack.stackName, account: DEPLOYED_ACCOUNT, region: DEPLOYED_REGION };
  if (!exporter) {
    return { template, environment };
  }
  const exporting = assembly.getStackByName(exporter.stackName).template as Template;
  const resolver = new IntrinsicResolver(exporting, { ...environment, stackName: exporter.stackName }, { cloudFormationNames: true });
  const values = new Map<string, string>();
  for (const output of Object.values(exporting.Outputs ?? {}) as Array<{ Value: unknown; Export?: { Name: unknown } }>) {
    if (output.Export) {
      values.set(String(resolver.resolve(output.Export.Name as never)), String(resolver.resolve(output.Value as never)));
    }
  }
  return { template, environment, exports: (name) => values.get(name) };
}

/**
 * Where `npx projen cfn-lint` finds the scale and quota cases' templates: with
 * CFN_LINT_TEMPLATE_DIR set (the test task sets it), every stack synthesized
 * here is written there, named for the test and the stack, for cfn-lint (an
 * AWS-maintained linter) to check after the tests.
 */
function keepForCfnLint(stacks: ReadonlyArray<{ stackName: string; template: unknown }>): void {
  const dir = process.env.CFN_LINT_TEMPLATE_DIR;
  if (!dir) {
    return;
  }
  mkdirSync(dir, { recursive: true });
  const test = (expect.getState().currentTestName ?? 'outside-a-test').replace(/[^A-Za-z0-9]+/g, '-').slice(0, 120);
  for (const { stackName, template } of stacks) {
    writeFileSync(join(dir, `${test}--${stackName}.template.json`), JSON.stringify(template));
  }
}
