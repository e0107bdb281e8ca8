import { App, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ACCOUNT, REGION, importedAlarm } from './support';
import { AlarmRollback, RollbackTarget } from '../../src';

/**
 * The findings that are by design, each with the reason. cdk-nag v3 takes
 * acknowledgments through `Validations.of(construct).acknowledge()`, but
 * aws-cdk-lib 2.257 refuses finding ids that contain '::' (every IAM4/IAM5
 * finding), so the test compares the findings with this list instead: a new
 * finding, or one that disappears, fails the test.
 */
const EXPECTED_FINDINGS: Record<string, string> = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'AWSLambdaBasicExecutionRole is the AWS managed policy that lets Lambda write the handler\'s logs; every other permission is an inline statement on named resources.',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appconfig:eu-west-1:111111111111:application/abc1234/environment/def5678*]':
    'GetDeployment and StopDeployment act on a deployment ARN whose number AppConfig assigns when the deployment starts; a 7-character environment ID is the start of no other AppConfig ID, so this pattern is exactly the environment and its deployments.',
  'AwsSolutions-IAM5[Resource::*]':
    'cloudwatch:DescribeAlarms returns composite alarms only to a caller whose permission is scoped to "*" (CloudWatch API reference, DescribeAlarms); it reads alarm configuration and state and nothing else. cloudwatch:ListAlarmMuteRules, beside it, lists the mute rules of the account to tell whether one mutes a firing alarm; it names no resource (CloudWatch API reference, ListAlarmMuteRules). They are the only actions granted on "*".',
  'Serverless-LambdaDLQ':
    'The handler\'s failed asynchronous invocations go to the dead-letter queue through an on-failure destination (EventInvokeConfig), which carries the error and the request and supersedes a function DLQ; '
    + 'the alarm-state check is invoked synchronously by AppConfig, which handles its errors (a roll-back), so a DLQ would hold nothing.',
  'Serverless-LambdaTracing':
    'The handler records its duration, its alarm-to-action latency and every AWS call it makes in the ledger and as embedded metrics; X-Ray would add an xray:PutTraceSegments grant on "*" for little more.',
  'AwsSolutions-SQS3':
    'This queue is the dead-letter queue of the rules and of the handler\'s asynchronous invocations; it has no dead-letter queue of its own.',
  'Serverless-SQSRedrivePolicy':
    'This queue is the dead-letter queue of the rules and of the handler\'s asynchronous invocations; people read it, nothing consumes it, so it needs no redrive policy.',
};

/**
 * The findings a customer managed key adds, each with the reason. Key policy
 * statements (CloudWatch Logs', EventBridge's) are not IAM findings.
 */
const EXPECTED_ENCRYPTED_FINDINGS: Record<string, string> = {
  'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]':
    'aws-cdk-lib grants the key\'s use with its GenerateDataKey family, on the one key ARN only: to the functions for the ledger table (Table.grant through the table\'s key) and to the handler for the dead-letter queue (the on-failure destination\'s Queue.grantSendMessages).',
  'AwsSolutions-IAM5[Action::kms:ReEncrypt*]':
    'Part of the same aws-cdk-lib encrypt-decrypt grant, on the one key ARN only: re-encrypting under another key also needs kms:ReEncryptTo on that key, which nothing here grants.',
};

/** The default construct with both kinds of target, and optionally a customer managed key. */
function nagStack(encrypted = false): Stack {
  const app = new App();
  const stack = new Stack(app, 'NagStack', { env: { account: ACCOUNT, region: REGION } });
  const encryptionKey = encrypted ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const rollback = new AlarmRollback(stack, 'Rollback', { encryptionKey });
  rollback.addTarget('ConfigRollout', {
    alarms: [importedAlarm(stack, 'errors')],
    target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
  });
  rollback.addTarget('ProdEnvironment', {
    alarms: [importedAlarm(stack, 'env-health')],
    target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
  });

  return stack;
}

/** The rule ids (with finding) the pack reports. */
function findings(report: PolicyValidationPluginReport): string[] {
  return report.violations.map((violation) => violation.ruleName).sort();
}

function expected(pack: string): string[] {
  return Object.keys(EXPECTED_FINDINGS).filter((id) => id.startsWith(`${pack}-`)).sort();
}

describe('cdk-nag', () => {
  it('finds only the AwsSolutions findings that are by design, each with a written reason', () => {
    const stack = nagStack();
    const report = new AwsSolutionsChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    expect(findings(report)).toEqual(expected('AwsSolutions'));
  });

  it('finds only the Serverless findings that are by design, each with a written reason', () => {
    const stack = nagStack();
    const report = new ServerlessChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    expect(findings(report)).toEqual(expected('Serverless'));
  });

  it('finds, with a customer managed key, only the key grants\' action families beyond the default findings', () => {
    const stack = nagStack(true);
    const aws = new AwsSolutionsChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    expect(findings(aws)).toEqual([...expected('AwsSolutions'), ...Object.keys(EXPECTED_ENCRYPTED_FINDINGS)].sort());
    const serverless = new ServerlessChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    expect(findings(serverless)).toEqual(expected('Serverless'));
  });

  it('gives every expected finding a specific reason', () => {
    for (const reason of [...Object.values(EXPECTED_FINDINGS), ...Object.values(EXPECTED_ENCRYPTED_FINDINGS)]) {
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});
