/**
 * Deploys an AlarmRollback that guards a second stack with a 5-minute bake,
 * updates that stack, sets the alarm to ALARM while the bake gate holds the
 * update open, and expects CloudFormation to report UPDATE_ROLLBACK_COMPLETE,
 * the stack's changed resource to be back at its old value, and the ledger to
 * hold the decision.
 *
 * How the update is made: integ-runner deploys the stacks and then runs the
 * assertions, so it cannot itself change a stack during the assertions. The
 * first assertion calls UpdateStack with the guarded stack's second version:
 * the same app synthesized once more in memory with one property changed (an
 * SSM parameter's value), whose gate carries a different template hash, so
 * CloudFormation updates every changed resource and then the gate, which
 * bakes. The next assertion waits until the gate itself is
 * UPDATE_IN_PROGRESS (DescribeStackResource), which is the bake, and only then
 * sets the alarm.
 *
 * What it proves: a stack update made by CloudFormation from a template (as
 * `cdk deploy` makes it) is rolled back whole when a watched alarm fires
 * during the bake, whichever of the gate and the alarm's event acts first,
 * with one CANCEL_REQUESTED record. What it does not: that `cdk deploy`
 * itself (asset publishing, change sets) takes the same path (it submits the
 * template the same way, through a change set rather than UpdateStack), and
 * which of the two paths acted (both are driven apart by the wire tests
 * against the local CloudFormation).
 *
 * `npx projen integ:check` compares the synthesized app with the committed
 * snapshot (no AWS account); docs/integration-tests.md says how to run it
 * against an account.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, CfnResource, DefaultStackSynthesizer, Duration, Fn, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../src';

const GUARDED_STACK_NAME = 'AlarmRollbackGuardedStackInteg';
/** A literal name: an assertion reads it without an export, which the second version would have to keep. */
const RELEASE_PARAMETER = '/cdk-alarm-rollback-integ/release';
const TARGET_ID = 'Guarded';

interface GuardedApp {
  readonly operations: Stack;
  readonly guarded: Stack;
  readonly alarm: cloudwatch.Alarm;
  readonly rollback: AlarmRollback;
}

/** The app at one release: the AlarmRollback's stack, and the guarded stack holding one parameter of that release's value. */
function guardedApp(app: App, release: string): GuardedApp {
  const operations = new Stack(app, 'AlarmRollbackStackInteg');
  // No bootstrap version rule: UpdateStack below resolves the template's
  // parameters with the assertion function's own credentials, which should
  // need nothing beyond the stack.
  const guarded = new Stack(app, GUARDED_STACK_NAME, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });

  new ssm.StringParameter(guarded, 'Release', { parameterName: RELEASE_PARAMETER, stringValue: release });

  // A metric nobody publishes: the alarm stays INSUFFICIENT_DATA until the
  // test sets it. It lives in the AlarmRollback's stack: the gate reads its
  // ARN, so the guarded stack depends on that stack, and not the reverse.
  const alarm = new cloudwatch.Alarm(operations, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'AlarmRollbackInteg', metricName: 'StackErrors', statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 1,
  });

  const rollback = new AlarmRollback(operations, 'Rollback');
  rollback.addTarget(TARGET_ID, {
    alarms: [alarm],
    // Five minutes: long enough for the assertions to see the bake and set the
    // alarm in it (they poll every 15 s), short enough that the stack's
    // creation, which bakes too, keeps the test under half an hour.
    target: RollbackTarget.cloudFormationStack({ stack: guarded, bake: Duration.minutes(5) }),
  });

  // The ledger and the log groups are kept by default; a test run leaves
  // nothing behind once integ-runner destroys the stacks.
  RemovalPolicies.of(operations).destroy();
  return { operations, guarded, alarm, rollback };
}

/**
 * The guarded stack's template at `release`, synthesized in an app of its
 * own (same construct paths, so the same logical IDs, exports and service
 * token) into a folder removed afterwards. The context integ-runner passes
 * (CDK_CONTEXT_JSON) reaches this app too.
 */
function guardedTemplateAt(release: string): string {
  const outdir = mkdtempSync(join(tmpdir(), 'integ-cloudformation-stack-'));
  try {
    const next = new App({ outdir });
    guardedApp(next, release);
    return JSON.stringify(next.synth().getStackByName(GUARDED_STACK_NAME).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const app = new App();
const { operations, guarded, alarm, rollback } = guardedApp(app, 'release-1');
const gate = guarded.node.findChild('AlarmRollbackBakeGate').node.defaultChild as CfnResource;

const integ = new IntegTest(app, 'CloudFormationStackRollback', {
  testCases: [operations, guarded],
  // The snapshot check compares templates, not asset hashes: the handler
  // bundle's hash changes with every handler edit and says nothing new.
  diffAssets: false,
  // The update under test is the one the assertions make; integ-runner's own
  // update workflow (deploy the snapshot, then this app) would bake twice more.
  stackUpdateWorkflow: false,
});

// The role the CDK deployed the stack with (the bootstrap's CloudFormation
// execution role), passed again so the update has the same permissions as a
// `cdk deploy` (UpdateStack: RoleARN, CloudFormation API Reference).
const executionRole = Fn.sub(DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN.replace('${Qualifier}', DefaultStackSynthesizer.DEFAULT_QUALIFIER));
const update = integ.assertions.awsApiCall('CloudFormation', 'updateStack', {
  StackName: GUARDED_STACK_NAME,
  TemplateBody: guardedTemplateAt('release-2'),
  RoleARN: executionRole,
});
update.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [executionRole] });

// CloudFormation updates the gate after every other resource (it depends on
// all of them); while the gate is UPDATE_IN_PROGRESS, its bake is running.
const baking = integ.assertions.awsApiCall('CloudFormation', 'describeStackResource', {
  StackName: GUARDED_STACK_NAME,
  LogicalResourceId: guarded.getLogicalId(gate),
}).expect(ExpectedResult.objectLike({ StackResourceDetail: { ResourceStatus: 'UPDATE_IN_PROGRESS' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

const setAlarm = integ.assertions.awsApiCall('CloudWatch', 'setAlarmState', {
  AlarmName: alarm.alarmName,
  StateValue: 'ALARM',
  StateReason: 'cdk-alarm-rollback integration test: an alarm during the bake',
});

// The gate fails, or the alarm's event cancels the update first; either way
// CloudFormation rolls the whole update back (CancelUpdateStack,
// CloudFormation API Reference).
const rolledBack = integ.assertions.awsApiCall('CloudFormation', 'describeStacks', { StackName: GUARDED_STACK_NAME })
  .expect(ExpectedResult.objectLike({ Stacks: [Match.objectLike({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) });

// The rollback put the update's change back.
const restored = integ.assertions.awsApiCall('SSM', 'getParameter', { Name: RELEASE_PARAMETER })
  .expect(ExpectedResult.objectLike({ Parameter: { Value: 'release-1' } }));

// A target's records share the partition key TARGET#<the target's construct path>;
// the gate and the event path share one claim per update, so one of them
// records CANCEL_REQUESTED.
const recorded = integ.assertions.awsApiCall('DynamoDB', 'query', {
  TableName: rollback.ledger.tableName,
  KeyConditionExpression: 'pk = :target',
  ExpressionAttributeValues: { ':target': { S: `TARGET#${rollback.node.path}/${TARGET_ID}` } },
}).expect(ExpectedResult.objectLike({
  Items: Match.arrayWith([Match.objectLike({ outcome: { S: RollbackOutcome.CANCEL_REQUESTED } })]),
}))
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

update.next(baking).next(setAlarm).next(rolledBack).next(restored).next(recorded);

app.synth();
