import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_ASSET_PATH } from '../private/rollback-function';

/**
 * The longest the check may run. AppConfig waits for an AT_* or PRE_* action
 * synchronously ("Step 3: Create a custom AWS AppConfig extension", AWS
 * AppConfig User Guide) and documents no wait; AWS's Datadog tick sample
 * says it waits 3 seconds. The check answers within 1.5 s of its handler
 * starting whatever its dependencies do (lambda/alarm-state/answer-deadline.ts),
 * so 2 s is enough; a longer timeout would only let a late answer count as
 * AppConfig's error instead of ours.
 */
export const ALARM_STATE_TIMEOUT = Duration.seconds(2);

/**
 * How long the check may spend reading the alarms before the read-failure
 * policy decides. DescribeAlarms answers in tens of milliseconds; 1 second
 * leaves room for one retry of a throttled call, and the rest of the answer
 * budget for the claim and the ledger record.
 */
export const ALARM_READ_BUDGET = Duration.seconds(1);

/** Memory of the check: the same as the rollback handler's, for the same CPU share and cold start. */
const ALARM_STATE_MEMORY_MB = 256;

export interface AlarmStateFunctionProps {
  readonly description: string;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  /** Reserved concurrency, or undefined for none. */
  readonly reservedConcurrentExecutions?: number;
  readonly environment: Record<string, string>;
  readonly logGroup: logs.ILogGroup;
  /** The customer managed key of the environment variables, or undefined for Lambda's own. */
  readonly environmentEncryption?: kms.IKey;
}

/**
 * The function AppConfig's extension calls at PRE_START_DEPLOYMENT and
 * AT_DEPLOYMENT_TICK. It is the second entry of the handler bundle
 * (`alarm-state.mjs` beside the rollback handler's `index.mjs`, sharing its
 * chunks), so it loads no AppConfig client, starts cold apart from the event
 * path and has concurrency of its own.
 */
export class AlarmStateFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: AlarmStateFunctionProps) {
    super(scope, id, {
      description: props.description,
      // The rollback handler's runtime and architecture, chosen by the user among the tested ones.
      runtime: props.runtime,
      architecture: props.architecture,
      handler: 'alarm-state.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET_PATH),
      memorySize: ALARM_STATE_MEMORY_MB,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      timeout: ALARM_STATE_TIMEOUT,
      logGroup: props.logGroup,
      environment: props.environment,
      environmentEncryption: props.environmentEncryption,
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
