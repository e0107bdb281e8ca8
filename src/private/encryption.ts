import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/**
 * Lets CloudWatch Logs use `key` for the log groups of `scope`'s account and
 * Region. A log group's KMS key must allow the Region's CloudWatch Logs
 * service principal these actions, limited by the encryption context
 * `aws:logs:arn` ("Encrypt log data in CloudWatch Logs using AWS Key
 * Management Service", Amazon CloudWatch Logs User Guide); aws-cdk-lib's
 * `LogGroup` only sets the key on the log group. The pattern covers the
 * account's log groups in this Region rather than the two log groups by name:
 * the key would name the log groups and each log group the key, a cycle
 * CloudFormation refuses.
 */
export function allowLogsToUseKey(scope: IConstruct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  addKeyStatement(scope, key, 'CloudWatch Logs', 'the log groups cannot be created', new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }));
}

/**
 * Lets EventBridge send to a queue encrypted with `key`: an AWS service that
 * sends to an encrypted queue must be allowed `kms:GenerateDataKey` and
 * `kms:Decrypt` on the queue's customer managed key ("Amazon SQS key
 * management", Amazon SQS Developer Guide, on compatibility between AWS
 * services and encrypted queues). The statement has no condition: the SQS
 * guide documents none for it, and one EventBridge does not meet would lose
 * the dead letters silently. Who may send stays limited by the queue's policy,
 * which admits this library's rules only.
 */
export function allowEventBridgeToUseQueueKey(scope: IConstruct, key: kms.IKey): void {
  addKeyStatement(scope, key, 'EventBridge', 'EventBridge cannot put undeliverable events in the dead-letter queue', new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
  }));
}

/** Keys already given each statement, by statement, so that several constructs sharing a key add it once. */
const added = new WeakMap<kms.IKey, Set<string>>();

/**
 * Adds `statement` to the policy of a key defined in this app; for an
 * imported key, whose policy CDK cannot change, warns with the statement to
 * add by hand.
 */
function addKeyStatement(scope: IConstruct, key: kms.IKey, who: string, otherwise: string, statement: iam.PolicyStatement): void {
  const rendered = JSON.stringify(Stack.of(key).resolve(statement.toStatementJson()));
  const done = added.get(key) ?? new Set<string>();
  added.set(key, done);
  if (done.has(rendered)) return;
  done.add(rendered);
  const { statementAdded } = key.addToResourcePolicy(statement, true);
  if (!statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-alarm-rollback:encryptionKeyPolicy',
      `the encryptionKey ${key.node.path} is imported, so its key policy cannot be changed here; it must allow ${who}: `
      + `${JSON.stringify(Stack.of(scope).resolve(statement.toStatementJson()))}. Add this statement to the key policy; without it ${otherwise}.`);
  }
}

/**
 * Lets a function decrypt its own environment variables with `key`: Lambda
 * decrypts them with the function's execution role, outside the execution
 * environment ("Using source function ARN to control function access
 * behavior", Lambda Developer Guide, lists the calls to AWS KMS that decrypt
 * environment variables among those made with the execution role).
 */
export function grantEnvironmentDecrypt(fn: iam.IGrantable, key: kms.IKey | undefined): void {
  key?.grantDecrypt(fn);
}
