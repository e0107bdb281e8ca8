/**
 * Deploys an AlarmRollback watching one alarm for an AWS Proton environment,
 * registers a tiny environment template, creates the environment, starts an
 * update that holds on a wait condition, sets the alarm to ALARM and expects
 * Proton to report the update cancelled and the ledger to hold the decision.
 * Then deletes the environment and the template version, so destroying the
 * stack leaves nothing behind.
 *
 * `npx projen integ:check` compares the synthesized app with the committed
 * snapshot (no AWS account); docs/integration-tests.md says how to run it
 * against an account.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as proton from 'aws-cdk-lib/aws-proton';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../src';

const TEMPLATE_NAME = 'cdk-alarm-rollback-integ';
const ENVIRONMENT_NAME = 'cdk-alarm-rollback-integ';
const TARGET_ID = 'Environment';

/**
 * Proton reads a template bundle as a gzipped tar (AWS Proton User Guide,
 * "Template bundles"). Fixed names, order, owners and times keep the archive,
 * and so the asset hash, the same on every machine.
 */
function templateBundle(): string {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'alarm-rollback-integ-')), 'template.tar.gz');
  execFileSync('sh', ['-c',
    'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$1" schema infrastructure | gzip -n > "$2"',
    'bundle', path.join(__dirname, 'integ.proton.template'), out]);
  return out;
}

const spec = (holdSeconds: number) =>
  `proton: EnvironmentSpec\nspec:\n  hold_seconds: ${holdSeconds}\n`;

const app = new App();
const stack = new Stack(app, 'AlarmRollbackProtonInteg');

const bundle = new s3assets.Asset(stack, 'TemplateBundle', { path: templateBundle() });
new proton.CfnEnvironmentTemplate(stack, 'Template', {
  name: TEMPLATE_NAME,
  displayName: 'cdk-alarm-rollback integration test',
});

// The role Proton provisions the environment's CloudFormation stack with
// (AWS Proton User Guide, "AWS Proton service role"): the template holds only
// wait conditions, which need no permissions of their own.
const serviceRole = new iam.Role(stack, 'ProtonServiceRole', {
  assumedBy: new iam.ServicePrincipal('proton.amazonaws.com'),
  inlinePolicies: {
    provision: new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        actions: ['cloudformation:*'],
        resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' })],
      })],
    }),
  },
});

const alarm = new cloudwatch.Alarm(stack, 'Errors', {
  metric: new cloudwatch.Metric({ namespace: 'AlarmRollbackInteg', metricName: 'ProtonErrors', statistic: 'Sum' }),
  threshold: 1,
  evaluationPeriods: 1,
});

const rollback = new AlarmRollback(stack, 'Rollback');
rollback.addTarget(TARGET_ID, {
  alarms: [alarm],
  target: RollbackTarget.protonEnvironment({ environmentName: ENVIRONMENT_NAME }),
});

// The ledger and the handler's log group are kept by default; a test run
// leaves nothing behind once integ-runner destroys the stack.
RemovalPolicies.of(stack).destroy();

const integ = new IntegTest(app, 'ProtonRollback', {
  testCases: [stack],
  // The snapshot check compares templates, not asset hashes: the handler
  // bundle's hash changes with every handler edit and says nothing new.
  diffAssets: false,
});
const { assertions } = integ;
const version = { templateName: TEMPLATE_NAME, majorVersion: '1', minorVersion: '0' };

const registerVersion = assertions.awsApiCall('Proton', 'createEnvironmentTemplateVersion', {
  templateName: TEMPLATE_NAME,
  source: { s3: { bucket: bundle.s3BucketName, key: bundle.s3ObjectKey } },
});
// Proton fetches the bundle with the caller's permissions.
registerVersion.provider.addToRolePolicy({
  Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${bundle.bucket.bucketArn}/${bundle.s3ObjectKey}`],
});
const versionDrafted = assertions.awsApiCall('Proton', 'getEnvironmentTemplateVersion', version)
  .expect(ExpectedResult.objectLike({ environmentTemplateVersion: { status: 'DRAFT' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });
const publish = assertions.awsApiCall('Proton', 'updateEnvironmentTemplateVersion', { ...version, status: 'PUBLISHED' });

const createEnvironment = assertions.awsApiCall('Proton', 'createEnvironment', {
  name: ENVIRONMENT_NAME,
  templateName: TEMPLATE_NAME,
  templateMajorVersion: '1',
  spec: spec(0),
  protonServiceRoleArn: serviceRole.roleArn,
});
createEnvironment.provider.addToRolePolicy({
  Effect: 'Allow', Action: ['iam:PassRole'], Resource: [serviceRole.roleArn],
});
const environmentReady = assertions.awsApiCall('Proton', 'getEnvironment', { name: ENVIRONMENT_NAME })
  .expect(ExpectedResult.objectLike({ environment: { deploymentStatus: 'SUCCEEDED' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) });

// An update whose stack waits ten minutes on a condition nobody signals.
const update = assertions.awsApiCall('Proton', 'updateEnvironment', {
  name: ENVIRONMENT_NAME,
  deploymentType: 'CURRENT_VERSION',
  spec: spec(600),
});
const updating = assertions.awsApiCall('Proton', 'getEnvironment', { name: ENVIRONMENT_NAME })
  .expect(ExpectedResult.objectLike({ environment: { deploymentStatus: 'IN_PROGRESS' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

const setAlarm = assertions.awsApiCall('CloudWatch', 'setAlarmState', {
  AlarmName: alarm.alarmName,
  StateValue: 'ALARM',
  StateReason: 'cdk-alarm-rollback integration test',
});

// The deployment is CANCELLING while Proton cancels it and CANCELLED once the
// cancellation succeeded; FAILED would mean it failed (AWS Proton API
// Reference, CancelEnvironmentDeployment, and the DeploymentStatus values).
const cancelled = assertions.awsApiCall('Proton', 'getEnvironment', { name: ENVIRONMENT_NAME })
  .expect(ExpectedResult.objectLike({
    environment: { deploymentStatus: Match.stringLikeRegexp('^CANCELL(ING|ED)$') },
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

const recorded = assertions.awsApiCall('DynamoDB', 'query', {
  TableName: rollback.ledger.tableName,
  KeyConditionExpression: 'pk = :target',
  ExpressionAttributeValues: { ':target': { S: `TARGET#${rollback.node.path}/${TARGET_ID}` } },
}).expect(ExpectedResult.objectLike({
  Items: Match.arrayWith([Match.objectLike({ outcome: { S: RollbackOutcome.CANCEL_REQUESTED } })]),
}))
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

// Cleanup: CloudFormation cannot delete a template that still has versions,
// nor Proton a version an environment still uses. Deleting waits for the
// cancelled update to finish rolling back.
const settled = assertions.awsApiCall('Proton', 'getEnvironment', { name: ENVIRONMENT_NAME })
  .expect(ExpectedResult.objectLike({ environment: { deploymentStatus: 'CANCELLED' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) });
const deleteEnvironment = assertions.awsApiCall('Proton', 'deleteEnvironment', { name: ENVIRONMENT_NAME });
const environmentGone = assertions.awsApiCall('Proton', 'listEnvironments', {
  environmentTemplates: [{ templateName: TEMPLATE_NAME, majorVersion: '1' }],
}).expect(ExpectedResult.objectLike({ environments: [] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) });
const deleteVersion = assertions.awsApiCall('Proton', 'deleteEnvironmentTemplateVersion', version);

registerVersion
  .next(versionDrafted).next(publish)
  .next(createEnvironment).next(environmentReady)
  .next(update).next(updating)
  .next(setAlarm).next(cancelled).next(recorded)
  .next(settled).next(deleteEnvironment).next(environmentGone).next(deleteVersion);

app.synth();
