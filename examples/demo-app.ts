// The app `npm run demo` synthesizes and simulates: AlarmRollback used the way
// a user would, with an AppConfig target (reverting completed deployments for
// 30 minutes, and also watching an alarm of a central monitoring account), a
// second AppConfig target that refuses to start a deployment while its alarm
// fires, a CloudFormation stack target that bakes every update of the
// checkout service's stack for 15 minutes, and a Proton target; the checkout
// service's stack itself; and the monitoring account's stack, whose
// AlarmEventForwarder sends that alarm's events to the workload account.
// test/simulate/demo.test.ts synthesizes it.
// In your app the import reads `from 'cdk-alarm-rollback'`.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AlarmEventForwarder, AlarmRollback, AlarmSource, RollbackTarget } from '../src';

export const DEMO_ACCOUNT = '123456789012';
export const DEMO_REGION = 'eu-west-1';
/** The central monitoring account, where the checkout canary's alarm lives. */
export const MONITORING_ACCOUNT = '210987654321';
export const PROTON_ENVIRONMENT = 'checkout-prod';
/** The checkout service's stack, whose updates the stack target bakes. */
export const SERVICE_STACK = 'CheckoutServiceDemo';

/** The alarm names the demo fires, so events can name them. */
export const DemoAlarms = {
  ERRORS: 'checkout-errors',
  LATENCY: 'checkout-latency',
  HEALTH: 'checkout-health',
  /** Watched by no rule: its events roll nothing back. */
  QUEUE_DEPTH: 'checkout-queue-depth',
  /** The checkout API's server errors: the stack target's alarm. */
  API_ERRORS: 'checkout-api-5xx',
  /** In the monitoring account: the synthetic canary that buys from the shop every minute. */
  CANARY: 'checkout-canary-failures',
} as const;

/** The monitoring account's canary alarm, as the workload account names it. */
export const CANARY_ALARM_ARN = `arn:aws:cloudwatch:${DEMO_REGION}:${MONITORING_ACCOUNT}:alarm:${DemoAlarms.CANARY}`;

/** The stacks of the demo: the workload account's rollback and checkout service, and the monitoring account's forwarder. */
export function buildDemoApp(app: App): { workload: Stack; service: Stack; monitoring: Stack } {
  const service = buildDemoServiceStack(app);
  return { workload: buildDemoStack(app, service), service, monitoring: buildDemoMonitoringStack(app) };
}

/**
 * The checkout service, deployed with `cdk deploy` on its own: its function
 * and, placed by the stack target's bake, the gate that holds each of its
 * updates open while the rollback reads the alarms.
 */
export function buildDemoServiceStack(app: App): Stack {
  const stack = new Stack(app, SERVICE_STACK, { env: { account: DEMO_ACCOUNT, region: DEMO_REGION } });
  new lambda.Function(stack, 'Api', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "checkout v2" });'),
  });
  return stack;
}

/**
 * The monitoring account: the canary's alarm, and the forwarder that sends
 * its state changes to the workload account's default bus, where the
 * rollback's rules are.
 */
export function buildDemoMonitoringStack(app: App): Stack {
  const stack = new Stack(app, 'CheckoutMonitoringDemo', { env: { account: MONITORING_ACCOUNT, region: DEMO_REGION } });
  const canary = new cloudwatch.Alarm(stack, 'CanaryFailures', {
    alarmName: DemoAlarms.CANARY,
    metric: new cloudwatch.Metric({ namespace: 'CloudWatchSynthetics', metricName: 'Failed', statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 2,
  });
  new AlarmEventForwarder(stack, 'ToCheckout', {
    eventBus: events.EventBus.fromEventBusArn(stack, 'CheckoutBus', `arn:aws:events:${DEMO_REGION}:${DEMO_ACCOUNT}:event-bus/default`),
    alarms: [canary],
  });
  return stack;
}

export function buildDemoStack(app: App, service: Stack): Stack {
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
  // The service's alarm lives here, not in the service's stack: an alarm of
  // the guarded stack would make the two stacks depend on each other
  // (docs/cloudformation-stack.md, "Stacks and their order").
  const apiErrors = new cloudwatch.Alarm(stack, 'ApiErrors', { alarmName: DemoAlarms.API_ERRORS, metric: metric('Api5xx'), threshold: 5, evaluationPeriods: 1 });
  new cloudwatch.Alarm(stack, 'QueueDepth', { alarmName: DemoAlarms.QUEUE_DEPTH, metric: metric('QueueDepth'), threshold: 1000, evaluationPeriods: 1 });

  // The monitoring account may put alarm state changes on this account's default bus.
  const rollback = new AlarmRollback(stack, 'Rollback', { alarmSources: [AlarmSource.account(MONITORING_ACCOUNT)] });
  const canary = cloudwatch.Alarm.fromAlarmArn(stack, 'CanaryFailures', CANARY_ALARM_ARN);
  rollback.addTarget('Flags', {
    alarms: [errors, health, canary],
    target: RollbackTarget.appConfig({ environment, revertCompletedWithin: Duration.minutes(30) }),
  });
  // No deployment starts on staging while the health alarm fires; to push a
  // fix through anyway, pause the alarm (aws cloudwatch disable-alarm-actions),
  // deploy, and resume it.
  rollback.addTarget('StagingFlags', {
    alarms: [health],
    target: RollbackTarget.appConfig({ environment: staging, blockDeploymentsWhileAlarming: true }),
  });
  // Every update of the service's stack that changes something waits 15
  // minutes before it completes; the API's errors in that time roll it back.
  rollback.addTarget('Service', {
    alarms: [apiErrors],
    target: RollbackTarget.cloudFormationStack({ stack: service, bake: Duration.minutes(15) }),
  });
  rollback.addTarget('Infrastructure', {
    alarms: [latency, health],
    target: RollbackTarget.protonEnvironment({ environmentName: PROTON_ENVIRONMENT }),
  });
  return stack;
}
