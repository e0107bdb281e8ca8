import { App, Duration, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
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

/**
 * The findings a stack target with a bake adds: the bake gate's provider is
 * aws-cdk-lib's Provider framework, whose own functions, roles and waiter
 * state machine aws-cdk-lib builds; each with the reason.
 */
const EXPECTED_BAKE_FINDINGS: Record<string, string> = {
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:eu-west-1:111111111111:stack/Checkout/*]':
    'A stack ID ends in a unique suffix CloudFormation assigns when the stack is created; stack/<name>/* is exactly the guarded stack under every ID it will have, as the Service Authorization Reference\'s stack resource type is written. The gate\'s functions get only DescribeStacks and DescribeStackEvents on it, the handler CancelUpdateStack too.',
  'AwsSolutions-IAM5[Resource::<RollbackBakeGateOnEvent649A370C.Arn>:*]':
    'aws-cdk-lib\'s Provider framework grants its entry function lambda:InvokeFunction on the gate\'s onEvent function and its versions and aliases (the ":*" qualifier); the function is the gate\'s own and nothing else.',
  'AwsSolutions-IAM5[Resource::<RollbackBakeGateIsComplete0AB781B5.Arn>:*]':
    'aws-cdk-lib\'s Provider framework grants its entry function and its waiter lambda:InvokeFunction on the gate\'s isComplete function and its versions and aliases (the ":*" qualifier); the function is the gate\'s own.',
  'AwsSolutions-IAM5[Resource::<RollbackBakeGateProviderframeworkisCompleteCA379AC5.Arn>:*]':
    'The Provider framework\'s waiter state machine may invoke the framework\'s own isComplete function and its versions (the ":*" qualifier), as aws-cdk-lib writes the grant; nothing else.',
  'AwsSolutions-IAM5[Resource::<RollbackBakeGateProviderframeworkonTimeout655C687F.Arn>:*]':
    'The Provider framework\'s waiter state machine may invoke the framework\'s own onTimeout function and its versions (the ":*" qualifier), as aws-cdk-lib writes the grant; nothing else.',
  'AwsSolutions-L1':
    'The Provider framework\'s three functions run the Node.js runtime aws-cdk-lib pins for them (custom_resources.Provider offers no runtime option); the gate\'s own functions run the runtime the user chose among the tested ones.',
  'AwsSolutions-SF1':
    'The Provider framework\'s waiter state machine only retries isComplete every 30 seconds; every decision of the gate is in its functions\' log group, the ledger and the metrics, so the state machine\'s own execution log would repeat them.',
  'AwsSolutions-SF2':
    'The waiter state machine is aws-cdk-lib\'s Provider framework\'s; X-Ray tracing of its retries would add an xray:PutTraceSegments grant on "*" and say nothing the gate\'s records do not.',
  'Serverless-LambdaDefaultMemorySize':
    'The Provider framework\'s functions only forward requests and answers (aws-cdk-lib gives them no memory option through Provider); the gate\'s own functions set 256 MB.',
  'Serverless-LambdaLatestVersion':
    'The Provider framework\'s functions run the runtime aws-cdk-lib pins for them; the gate\'s own functions run the runtime the user chose among the tested ones.',
  'Serverless-StepFunctionStateMachineXray':
    'The waiter state machine is aws-cdk-lib\'s Provider framework\'s; X-Ray tracing of its retries would add an xray:PutTraceSegments grant on "*" and say nothing the gate\'s records do not.',
};

/** The default construct with both kinds of target, optionally a customer managed key, and optionally a stack target with a bake. */
function nagStack(encrypted = false, baked = false): Stack {
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
  if (baked) {
    const checkout = new Stack(app, 'Checkout', { env: { account: ACCOUNT, region: REGION } });
    rollback.addTarget('Checkout', {
      alarms: [importedAlarm(stack, 'checkout-5xx')],
      target: RollbackTarget.cloudFormationStack({ stack: checkout, bake: Duration.minutes(10) }),
    });
  }

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

  it('finds, with a stack target that bakes, only the bake gate provider\'s findings beyond the default ones', () => {
    const stack = nagStack(false, true);
    const aws = new AwsSolutionsChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    const bake = (pack: string) => Object.keys(EXPECTED_BAKE_FINDINGS).filter((id) => id.startsWith(`${pack}-`));
    expect(findings(aws)).toEqual([...expected('AwsSolutions'), ...bake('AwsSolutions')].sort());
    const serverless = new ServerlessChecks(stack.node.root, { verbose: true }).validateScope(stack.node.root);
    expect(findings(serverless)).toEqual([...expected('Serverless'), ...bake('Serverless')].sort());
    // Both packs ran over the whole app, the guarded stack and its gate included; every finding is the AlarmRollback's stack's.
    const paths = [...aws.violations, ...serverless.violations].flatMap((violation) => violation.violatingResources.map((resource) => resource.constructPath ?? ''));
    expect(paths.filter((path) => !path.startsWith('NagStack/'))).toEqual([]);
    expect(stack.node.root.node.tryFindChild('Checkout')).toBeDefined();
  });

  it('gives every expected finding a specific reason', () => {
    const reasons = [...Object.values(EXPECTED_FINDINGS), ...Object.values(EXPECTED_ENCRYPTED_FINDINGS), ...Object.values(EXPECTED_BAKE_FINDINGS)];
    for (const reason of reasons) {
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});
