import { TABLE } from './synthesized-ledger';
import { localEndpoints } from '../../local';
import { HandlerEnv } from '../../src/contract';

/** The rollback name the handler is given in local runs (a stack `Stack` with `AlarmRollback` `Rollback`). */
export const ROLLBACK_NAME = 'Stack/Rollback';

export interface HandlerEnvOptions {
  readonly appConfig?: string;
  readonly proton?: string;
  /** The DynamoDB endpoint the handler's ledger client uses (dynalite, a proxy, or a closed port). */
  readonly dynamo: string;
  readonly cloudWatch?: string;
  /** The local CloudFormation's endpoint. @default - none */
  readonly cloudFormation?: string;
  /** The SNS endpoint (a notification sink) the handler publishes to. @default - none */
  readonly sns?: string;
  /** The notification topic, with the handler's default outcomes. @default - none: no notifications */
  readonly topicArn?: string;
  /** @default - the handler's default (60) */
  readonly claimLeaseSeconds?: number;
  /** @default ROLLBACK_NAME */
  readonly rollbackName?: string;
}

/** The environment the construct gives the handler, pointed at local services. */
export function handlerEnv(options: HandlerEnvOptions): Record<string, string> {
  return {
    ...localEndpoints({
      appConfig: options.appConfig,
      proton: options.proton,
      dynamo: options.dynamo,
      cloudWatch: options.cloudWatch,
      sns: options.sns,
      cloudFormation: options.cloudFormation,
    }),
    [HandlerEnv.LEDGER_TABLE]: TABLE,
    [HandlerEnv.ROLLBACK_NAME]: options.rollbackName ?? ROLLBACK_NAME,
    ...(options.topicArn ? { [HandlerEnv.NOTIFICATION_TOPIC_ARN]: options.topicArn } : {}),
    ...(options.claimLeaseSeconds ? { [HandlerEnv.CLAIM_LEASE_SECONDS]: String(options.claimLeaseSeconds) } : {}),
  };
}
