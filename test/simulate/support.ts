import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Simulation } from '../../local/simulate';
import { AlarmRollback, RollbackTarget } from '../../src';

/**
 * Synthesizes an app that uses the library as a user would, into a fresh
 * folder, and returns the folder. Tests read everything else (patterns,
 * inputs, ids, environment) from the assembly through the simulation.
 */
export function synthesizeTestApp(): string {
  const { outdir, app, stack } = shopStack('simulate-test-');
  const { environment } = shopAppConfig(stack);
  const metricNamed = (metricName: string) => new cloudwatch.Metric({ namespace: 'Shop', metricName });
  const errors = new cloudwatch.Alarm(stack, 'Errors', { alarmName: 'shop-errors', metric: metricNamed('Errors'), threshold: 1, evaluationPeriods: 1 });
  // No alarm name: simulate derives one from the stack name and logical id.
  const latency = new cloudwatch.Alarm(stack, 'Latency', { metric: metricNamed('Latency'), threshold: 1, evaluationPeriods: 1 });
  const health = new cloudwatch.CompositeAlarm(stack, 'Health', { compositeAlarmName: 'shop-health', alarmRule: cloudwatch.AlarmRule.anyOf(errors, latency) });
  new cloudwatch.Alarm(stack, 'Unwatched', { alarmName: 'shop-unwatched', metric: metricNamed('Queue'), threshold: 1, evaluationPeriods: 1 });

  const rollback = new AlarmRollback(stack, 'Rollback');
  rollback.addTarget('Config', {
    alarms: [errors, health],
    target: RollbackTarget.appConfig({ environment, revertCompletedWithin: Duration.minutes(30) }),
  });
  rollback.addTarget('Env', {
    alarms: [latency, health],
    target: RollbackTarget.protonEnvironment({ environmentName: 'shop-prod' }),
  });
  app.synth();
  return outdir;
}

/** A fresh app that synthesizes into a new temporary folder (named from `prefix`), with the stack `Shop` in account 111111111111, eu-west-1. */
export function shopStack(prefix: string): { outdir: string; app: App; stack: Stack } {
  const outdir = mkdtempSync(join(tmpdir(), prefix));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { outdir, app, stack };
}

/**
 * The AppConfig application `shop` with its environment `prod`, and the
 * strategy `shop-linear` the tests' state files start deployments with.
 */
export function shopAppConfig(stack: Stack): { application: appconfig.Application; environment: appconfig.Environment } {
  const application = new appconfig.Application(stack, 'App', { applicationName: 'shop' });
  const environment = new appconfig.Environment(stack, 'Prod', { application, environmentName: 'prod' });
  new appconfig.DeploymentStrategy(stack, 'Strategy', {
    deploymentStrategyName: 'shop-linear',
    rolloutStrategy: appconfig.RolloutStrategy.linear({
      growthFactor: 50,
      deploymentDuration: Duration.minutes(10),
      finalBakeTime: Duration.minutes(5),
    }),
  });
  return { application, environment };
}

/** The ARN of the alarm whose name ends with (or contains) `suffix`, as the synthesized rules watch it. */
export function watchedAlarm(simulation: Simulation, suffix: string): string {
  const arns = simulation.ruleSummaries.flatMap((rule) => rule.alarmArns);
  const found = arns.find((arn) => arn.endsWith(suffix) || arn.includes(`${suffix}`));
  if (!found) throw new Error(`no watched alarm ends with ${suffix}: ${arns.join(', ')}`);
  return found;
}

/** The rule summary of the target whose name ends with (or contains) `suffix`. */
export function ruleOf(simulation: Simulation, suffix: string) {
  return simulation.ruleSummaries.find((rule) => rule.target.endsWith(suffix))!;
}
