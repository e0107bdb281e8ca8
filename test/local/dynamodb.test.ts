import { ConditionalCheckFailedException, DescribeTableCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { createTableFromResource, createTableInput, LocalDynamo, startLocalDynamo } from '../../local';

/** The ledger table as a synthesized template declares it (pk/sk strings and an outcome index). */
const LEDGER_RESOURCE = {
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: { 'Fn::Join': ['', ['ledger-', { Ref: 'AWS::StackName' }]] },
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'outcome', AttributeType: 'S' },
      { AttributeName: 'recordedAt', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: 'by-outcome',
      KeySchema: [{ AttributeName: 'outcome', KeyType: 'HASH' }, { AttributeName: 'recordedAt', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  },
};

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});

afterAll(async () => {
  await dynamo.close();
});

describe('local DynamoDB (dynalite)', () => {
  it('creates the table a template declares, with its keys and indexes', async () => {
    await createTableFromResource(dynamo.client, LEDGER_RESOURCE, 'ledger');

    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'ledger' }));

    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: LEDGER_RESOURCE.Properties.KeySchema,
      GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'by-outcome', IndexStatus: 'ACTIVE' })],
    });
  });

  it('enforces conditional writes with ConditionalCheckFailedException', async () => {
    const put = () => dynamo.client.send(new PutItemCommand({
      TableName: 'ledger',
      Item: { pk: { S: 'event#1' }, sk: { S: 'claim' }, outcome: { S: 'STOPPED' }, recordedAt: { S: '2026-11-20T14:03:11Z' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));

    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Items } = await dynamo.client.send(new QueryCommand({
      TableName: 'ledger',
      IndexName: 'by-outcome',
      KeyConditionExpression: 'outcome = :o',
      ExpressionAttributeValues: { ':o': { S: 'STOPPED' } },
    }));
    expect(Items).toHaveLength(1);
  });

  it('reads a global table the same way, and refuses other resource types', () => {
    const global = createTableInput({ ...LEDGER_RESOURCE, Type: 'AWS::DynamoDB::GlobalTable' }, 'ledger');

    expect(global).toMatchObject({ TableName: 'ledger', BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [{ IndexName: 'by-outcome' }] });
    expect(() => createTableInput({ Type: 'AWS::S3::Bucket', Properties: {} }, 'x')).toThrow(/AWS::DynamoDB::Table/);
  });
});
