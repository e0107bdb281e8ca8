// The app `npm run demo` synthesizes and simulates: AlarmRollback used the way
// a user would, with an AppConfig target (reverting completed deployments for
// 30 minutes), a second AppConfig target that refuses to start a deployment
// while its alarm fires, and a Proton target. test/simulate/demo.test.ts synthesizes it.
// In your app the import reads `from 'cdk-alarm-rollback'`.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmRollback, RollbackTarget } from '../src';

export const DEMO_ACCOUNT = '123456789012';
export const DEMO_REGION = 'eu-west-1';
export const PROTON_ENVIRONMENT = 'checkout-prod';

/** The alarm names the demo fires, so events can name them. */
export const DemoAlarms = {
  ERRORS: 'checkout-errors',
  LATENCY: 'checkout-latency',
  HEALTH: 'checkout-health',
  /** Watched by no rule: its events roll nothing back. */
  QUEUE_DEPTH: 'checkout-queue-depth',
} as const;

export function buildDemoStack(app: App): Stack {
  const stack = new Stack(app, 'CheckoutRollbackDemo', { env: { account: DEMO_ACCOUNT, region: DEMO_REGION } });

  const application = new appconfig.Application(stack, 'Checkout', { applicationName: 'checkout' });
  const environment = new appconfig.Environment(stack, 'Production', { application, environmentName: 'production' });
  const staging = new appconfig.Environment(stack, 'Staging', { application, environmentName: 'staging' });
  const strategy = new appconfig.DeploymentStrategy(stack, 'Linear', {
    deploymentStrategyName: 'checkout-linear',
    rolloutStrategy: appconfig.RolloutStrategy.linear({
      growthFactor: 20,
      deploymentDuration: Duration.minutes(10),
      finalBakeTime: Duration.minutes(5),
    }),
  });
  new appconfig.HostedConfiguration(stack, 'Flags', {
    application,
    name: 'flags',
    content: appconfig.ConfigurationContent.fromInlineJson(JSON.stringify({ newCheckout: { enabled: true } })),
    deploymentStrategy: strategy,
    deployTo: [environment],
  });

  const metric = (metricName: string) => new cloudwatch.Metric({ namespace: 'Checkout', metricName, statistic: 'Sum', period: Duration.minutes(1) });
  const errors = new cloudwatch.Alarm(stack, 'Errors', { alarmName: DemoAlarms.ERRORS, metric: metric('Errors'), threshold: 10, evaluationPeriods: 1 });
  const latency = new cloudwatch.Alarm(stack, 'Latency', {
    alarmName: DemoAlarms.LATENCY,
    metric: metric('LatencyP99').with({ statistic: 'p99' }),
    threshold: 800,
    evaluationPeriods: 3,
  });
  const health = new cloudwatch.CompositeAlarm(stack, 'Health', {
    compositeAlarmName: DemoAlarms.HEALTH,
    alarmRule: cloudwatch.AlarmRule.anyOf(errors, latency),
  });
  new cloudwatch.Alarm(stack, 'QueueDepth', { alarmName: DemoAlarms.QUEUE_DEPTH, metric: metric('QueueDepth'), threshold: 1000, evaluationPeriods: 1 });

  const rollback = new AlarmRollback(stack, 'Rollback');
  rollback.addTarget('Flags', {
    alarms: [errors, health],
    target: RollbackTarget.appConfig({ environment, revertCompletedWithin: Duration.minutes(30) }),
  });
  // No deployment starts on staging while the health alarm fires; to push a
  // fix through anyway, pause the alarm (aws cloudwatch disable-alarm-actions),
  // deploy, and resume it.
  rollback.addTarget('StagingFlags', {
    alarms: [health],
    target: RollbackTarget.appConfig({ environment: staging, blockDeploymentsWhileAlarming: true }),
  });
  rollback.addTarget('Infrastructure', {
    alarms: [latency, health],
    target: RollbackTarget.protonEnvironment({ environmentName: PROTON_ENVIRONMENT }),
  });
  return stack;
}
