import { createServer } from 'http';
import { AddressInfo } from 'net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { median } from './statistics';

/**
 * What one SDK v3 call costs the caller on this machine: a conditional
 * PutItem against a server that answers at once, so the time is the client's
 * own (build, sign, send, parse). It is the floor under every call the
 * handler makes on its critical path.
 */
export async function sdkCallCost(calls: number): Promise<number> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '2' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await client.send(new PutItemCommand({
        TableName: 'ledger',
        Item: { pk: { S: `TARGET#bench#${i}` }, sk: { S: 'EVENT#1' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}
