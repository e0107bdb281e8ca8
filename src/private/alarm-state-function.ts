import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_ASSET_PATH } from './rollback-function';

/**
 * The longest the check may run. AppConfig waits for an AT_* or PRE_* action
 * synchronously ("Step 3: Create a custom AWS AppConfig extension", AWS
 * AppConfig User Guide) but documents neither how long it waits nor how often
 * it ticks, so the check keeps itself short: a read within its budget, one
 * claim and one record, with room for a cold start.
 */
export const ALARM_STATE_TIMEOUT = Duration.seconds(10);

/**
 * How long the check may spend reading the alarms before the read-failure
 * policy decides. DescribeAlarms answers in well under a second; 3 seconds
 * leave room for the SDK's retries of a throttled call, and the 7 seconds
 * left of the timeout cover a cold start, the claim, the ledger record and
 * the notification, so the policy, not a timeout, decides what AppConfig
 * hears.
 */
export const ALARM_READ_BUDGET = Duration.seconds(3);

/** Memory of the check: the same as the rollback handler's, for the same CPU share and cold start. */
const ALARM_STATE_MEMORY_MB = 256;

export interface AlarmStateFunctionProps {
  readonly description: string;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly environment: Record<string, string>;
  readonly logGroup: logs.ILogGroup;
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
      timeout: ALARM_STATE_TIMEOUT,
      logGroup: props.logGroup,
      environment: props.environment,
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
