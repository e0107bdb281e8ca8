/**
 * Deploys an AlarmRollback watching one alarm for an AppConfig environment,
 * starts a slow deployment, sets the alarm to ALARM and expects AppConfig to
 * report the deployment ROLLED_BACK and the ledger to hold the decision.
 *
 * `npx projen integ:check` compares the synthesized app with the committed
 * snapshot (no AWS account); docs/integration-tests.md says how to run it
 * against an account.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../src';

const app = new App();
const stack = new Stack(app, 'AlarmRollbackAppConfigInteg');

const application = new appconfig.Application(stack, 'Application');
const environment = new appconfig.Environment(stack, 'Environment', { application });
// Linear over 10 minutes: the deployment is still DEPLOYING when the alarm
// fires a few minutes later, so StopDeployment has something to stop.
const strategy = new appconfig.DeploymentStrategy(stack, 'Slow', {
  rolloutStrategy: appconfig.RolloutStrategy.linear({
    growthFactor: 10,
    deploymentDuration: Duration.minutes(10),
    finalBakeTime: Duration.minutes(0),
  }),
});
// deployTo is left out: the assertion below starts the deployment itself, once
// the rule is in place, rather than CloudFormation during the stack's creation.
const configuration = new appconfig.HostedConfiguration(stack, 'Configuration', {
  application,
  content: appconfig.ConfigurationContent.fromInlineJson(JSON.stringify({ feature: 'on' })),
  deploymentStrategy: strategy,
});

// A metric nobody publishes: the alarm stays INSUFFICIENT_DATA until the test
// sets it, so only SetAlarmState moves it into ALARM.
const alarm = new cloudwatch.Alarm(stack, 'Errors', {
  metric: new cloudwatch.Metric({ namespace: 'AlarmRollbackInteg', metricName: 'Errors', statistic: 'Sum' }),
  threshold: 1,
  evaluationPeriods: 1,
});

const rollback = new AlarmRollback(stack, 'Rollback');
const TARGET_ID = 'Config';
rollback.addTarget(TARGET_ID, {
  alarms: [alarm],
  target: RollbackTarget.appConfig({ application, environment }),
});

// The ledger and the handler's log group are kept by default; a test run
// leaves nothing behind once integ-runner destroys the stack.
RemovalPolicies.of(stack).destroy();

const integ = new IntegTest(app, 'AppConfigRollback', {
  testCases: [stack],
  // The snapshot check compares templates, not asset hashes: the handler
  // bundle's hash changes with every handler edit and says nothing new.
  diffAssets: false,
});

const start = integ.assertions.awsApiCall('AppConfig', 'startDeployment', {
  ApplicationId: application.applicationId,
  EnvironmentId: environment.environmentId,
  ConfigurationProfileId: configuration.configurationProfileId,
  ConfigurationVersion: configuration.versionNumber,
  DeploymentStrategyId: strategy.deploymentStrategyId,
});

const setAlarm = integ.assertions.awsApiCall('CloudWatch', 'setAlarmState', {
  AlarmName: alarm.alarmName,
  StateValue: 'ALARM',
  StateReason: 'cdk-alarm-rollback integration test',
});

// AppConfig reports a stopped deployment as ROLLED_BACK once the previous
// configuration is back (AppConfig API Reference, GetDeployment: State).
const rolledBack = integ.assertions.awsApiCall('AppConfig', 'getDeployment', {
  ApplicationId: application.applicationId,
  EnvironmentId: environment.environmentId,
  DeploymentNumber: start.getAttString('DeploymentNumber'),
}).expect(ExpectedResult.objectLike({ State: 'ROLLED_BACK' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });

// A target's records share the partition key TARGET#<the target's construct path>.
// Whichever stops the deployment first, the alarm's event through the rule or
// the alarm-state check at AppConfig's next tick, records ROLLED_BACK.
const recorded = integ.assertions.awsApiCall('DynamoDB', 'query', {
  TableName: rollback.ledger.tableName,
  KeyConditionExpression: 'pk = :target',
  ExpressionAttributeValues: { ':target': { S: `TARGET#${rollback.node.path}/${TARGET_ID}` } },
}).expect(ExpectedResult.objectLike({
  Items: Match.arrayWith([Match.objectLike({ outcome: { S: RollbackOutcome.ROLLED_BACK } })]),
}))
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

start.next(setAlarm).next(rolledBack).next(recorded);

app.synth();
