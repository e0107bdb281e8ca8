import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnTableResource, LocalDynamo, createTableFromResource, startLocalDynamo } from '../../local';
import { AlarmRollback } from '../../src/alarm-rollback';
import { Ledger } from '../../src/contract';

/** The ledger table name the handler is given in local runs. */
export const TABLE = 'ledger';

/** What the local runs take from a stack synthesized with the construct's defaults. */
export interface ConstructDefaults {
  /** The ledger table resource, created on dynalite as declared. */
  readonly ledgerTable: CfnTableResource;
  /** The function's asynchronous retries (`AWS::Lambda::EventInvokeConfig`), which the invoker simulates. */
  readonly asyncRetryAttempts: number;
}

let defaults: ConstructDefaults | undefined;

/** Synthesizes `AlarmRollback` once per process, so local runs meet the table and retries the stack deploys. */
export function constructDefaults(): ConstructDefaults {
  if (!defaults) {
    const stack = new Stack(new App(), 'Stack');
    new AlarmRollback(stack, 'Rollback');
    const template = Template.fromStack(stack);
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table')) as CfnTableResource[];
    const invokeConfigs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    if (tables.length !== 1 || invokeConfigs.length !== 1) {
      throw new Error(`expected one ledger table and one EventInvokeConfig, found ${tables.length} and ${invokeConfigs.length}`);
    }
    defaults = {
      ledgerTable: tables[0],
      asyncRetryAttempts: Number(invokeConfigs[0].Properties.MaximumRetryAttempts),
    };
  }
  return defaults;
}

/** dynalite with the ledger table created as the stack declares it. */
export async function startLedger(): Promise<LocalDynamo> {
  const dynamo = await startLocalDynamo();
  await createTableFromResource(dynamo.client, constructDefaults().ledgerTable, TABLE);
  return dynamo;
}

/** Every ledger item in a target's partition: its records and any claims on events. */
export async function targetItems(dynamo: LocalDynamo, targetName: string): Promise<Array<Record<string, any>>> {
  const answer = await dynamo.client.send(new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: `${Ledger.TARGET_PREFIX}${targetName}` } },
  }));
  return answer.Items ?? [];
}
