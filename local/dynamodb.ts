import { AddressInfo } from 'net';
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` for a DynamoDBClient's `endpoint`. */
  readonly endpoint: string;
  /** A client for `endpoint` with static test credentials, destroyed by `close()`. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/**
 * Starts dynalite, a DynamoDB implementation in Node, on 127.0.0.1 and a
 * random port. Table changes take no time, so tests need no waiters.
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    client,
    close: () => new Promise<void>((resolve, reject) => {
      client.destroy();
      server.close((error?: Error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** An `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable` resource as a synthesized template declares it. */
export interface CfnTableResource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
}

/**
 * Translates a table resource's properties into CreateTable: the key schema,
 * attribute definitions and indexes as declared, so code under test meets the
 * table the stack deploys. Capacity becomes PAY_PER_REQUEST unless the
 * resource provisions it; replicas, streams, TTL and encryption are not
 * DynamoDB-local concerns and are left out.
 */
export function createTableInput(resource: CfnTableResource, tableName: string): CreateTableCommandInput {
  if (resource.Type !== 'AWS::DynamoDB::Table' && resource.Type !== 'AWS::DynamoDB::GlobalTable') {
    throw new Error(`Expected an AWS::DynamoDB::Table or AWS::DynamoDB::GlobalTable resource, got ${resource.Type}`);
  }
  const properties = resource.Properties;
  const throughput = resource.Type === 'AWS::DynamoDB::Table' ? properties.ProvisionedThroughput : undefined;
  const capacity = throughput
    ? { BillingMode: 'PROVISIONED' as const, ProvisionedThroughput: throughput }
    : { BillingMode: 'PAY_PER_REQUEST' as const };
  const localIndex = (declared: Record<string, any>) => ({
    IndexName: declared.IndexName,
    KeySchema: declared.KeySchema,
    Projection: declared.Projection,
  });
  const index = (declared: Record<string, any>) => ({
    ...localIndex(declared),
    ...(throughput ? { ProvisionedThroughput: declared.ProvisionedThroughput ?? throughput } : {}),
  });
  return {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    ...capacity,
    ...(properties.GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes.map(index) } : {}),
    ...(properties.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: properties.LocalSecondaryIndexes.map(localIndex) } : {}),
  };
}

/** Creates `tableName` on the local DynamoDB as `resource` declares it. */
export async function createTableFromResource(client: DynamoDBClient, resource: CfnTableResource, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(resource, tableName)));
}
