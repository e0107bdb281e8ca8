// The rollback handler: the function that decides and acts on every alarm
// event, with its log group, its environment (the contract's HandlerEnv),
// its asynchronous invocation settings and its grants.
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowLogsToUseKey, grantEnvironmentDecrypt } from './encryption';
import { grantLedgerAccess } from './ledger';
import { RollbackFunction } from './rollback-function';
import { resolveNotifyOn } from './rollback-props';
import { AlarmRollbackProps } from '../alarm-rollback-props';
import { HandlerEnv, Metrics } from '../contract';

const HANDLER_TIMEOUT = Duration.seconds(30);
const HANDLER_MEMORY_MB = 256;
const ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_MAX_EVENT_AGE = Duration.hours(6);

/** What the handler is made from: the AlarmRollback's props, resolved, and its ledger and queue. */
export interface RollbackHandlerProps {
  readonly props: AlarmRollbackProps;
  readonly rollbackName: string;
  readonly ledger: dynamodb.ITable;
  readonly deadLetterQueue: sqs.IQueue;
  readonly ledgerRetentionDays: number;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly reservedConcurrency?: number;
}

/** The handler, and what the alarm-state check's function shares with it. */
export interface RollbackHandler {
  readonly handler: lambda.Function;
  /** The handler's environment; the check's starts from it. */
  readonly environment: Record<string, string>;
  /** The handler's log group settings; the check's log group has the same. */
  readonly logGroupProps: logs.LogGroupProps;
}

/** Makes the handler in `owner` (the AlarmRollback), with the construct ids it always had. */
export function createRollbackHandler(owner: Construct, p: RollbackHandlerProps): RollbackHandler {
  const key = p.props.encryptionKey;
  const logGroupProps: logs.LogGroupProps = {
    retention: p.props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: p.props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    encryptionKey: key,
  };
  if (key) allowLogsToUseKey(owner, key);
  const logGroup = new logs.LogGroup(owner, 'HandlerLogs', logGroupProps);

  const environment: Record<string, string> = {
    [HandlerEnv.LEDGER_TABLE]: p.ledger.tableName,
    [HandlerEnv.LEDGER_RETENTION_DAYS]: String(p.ledgerRetentionDays),
    [HandlerEnv.DRY_RUN]: String(p.props.dryRun ?? false),
    [HandlerEnv.METRIC_NAMESPACE]: Metrics.DEFAULT_NAMESPACE,
    [HandlerEnv.ROLLBACK_NAME]: p.rollbackName,
    [HandlerEnv.CLAIM_LEASE_SECONDS]: String(HANDLER_TIMEOUT.toSeconds()),
  };
  if (p.props.notificationTopic) {
    environment[HandlerEnv.NOTIFICATION_TOPIC_ARN] = p.props.notificationTopic.topicArn;
    environment[HandlerEnv.NOTIFY_OUTCOMES] = resolveNotifyOn(owner, p.props.notifyOn).join(',');
  } else if (p.props.notifyOn !== undefined) {
    resolveNotifyOn(owner, p.props.notifyOn);
    Annotations.of(owner).addWarningV2('cdk-alarm-rollback:notifyOnWithoutTopic',
      'notifyOn chooses which outcomes are published to notificationTopic; it is ignored because no notificationTopic was given.');
  }

  const fn = new RollbackFunction(owner, 'Handler', {
    runtime: p.runtime,
    architecture: p.architecture,
    handler: 'index.handler',
    description: `Rolls back deployments when alarms enter ALARM (${p.rollbackName})`.slice(0, 256),
    memorySize: HANDLER_MEMORY_MB,
    timeout: HANDLER_TIMEOUT,
    reservedConcurrentExecutions: p.reservedConcurrency,
    logGroup,
    environment,
    environmentEncryption: key,
  });
  grantEnvironmentDecrypt(fn, key);
  fn.configureAsyncInvoke({
    retryAttempts: ASYNC_RETRY_ATTEMPTS,
    maxEventAge: ASYNC_MAX_EVENT_AGE,
    onFailure: new destinations.SqsDestination(p.deadLetterQueue),
  });

  grantLedgerAccess(p.ledger, fn);
  p.props.notificationTopic?.grantPublish(fn);
  return { handler: fn, environment, logGroupProps };
}
