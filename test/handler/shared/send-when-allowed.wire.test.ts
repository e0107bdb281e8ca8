import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { holdUntilAllowed, sendWhenAllowed } from '../../../lambda/shared/send-when-allowed';
import { LatencyProxy, LocalDynamo, startLatencyProxy } from '../../../local';
import { TABLE, startLedger } from '../../support/synthesized-ledger';

// The hold on a real SDK client: a command built ahead of its turn must not
// reach the wire before its condition allows it, nor ever when it does not.
let ledger: LocalDynamo;
let proxy: LatencyProxy;

beforeAll(async () => {
  ledger = await startLedger();
  proxy = await startLatencyProxy({ target: ledger.endpoint });
});

afterAll(async () => {
  await proxy.close();
  await ledger.close();
});

beforeEach(() => {
  proxy.requests.length = 0;
  proxy.faults.clear();
});

const clients: DynamoDBClient[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function dynamoClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  clients.push(client);
  return client;
}

function put(id: string): PutItemCommand {
  return new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `TEST#${id}` }, sk: { S: 'ITEM' } } });
}

async function stored(client: DynamoDBClient, id: string): Promise<boolean> {
  const answer = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `TEST#${id}` }, sk: { S: 'ITEM' } }, ConsistentRead: true }));
  return answer.Item !== undefined;
}

/** A condition the test settles by hand. */
function condition() {
  let settle!: (allowed: boolean) => void;
  const allowed = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  return { allowed, settle };
}

const turns = (count: number) => new Promise((resolve) => setTimeout(resolve, count * 10));

describe.each([
  ['a client with the hold', () => holdUntilAllowed(dynamoClient())],
  ['a plain client', () => dynamoClient()],
])('sendWhenAllowed on %s', (_name, makeClient) => {
  it('sends nothing until the condition resolves true, then sends once', async () => {
    const client = makeClient();
    const command = put('allowed');
    const { allowed, settle } = condition();

    const sending = sendWhenAllowed(client, command, allowed, () => client.send(command));
    await turns(5);
    expect(proxy.requests).toHaveLength(0);

    settle(true);
    expect(await sending).toMatchObject({ sent: true });
    expect(proxy.requests.map((request) => request.operation)).toEqual(['PutItem']);
    expect(await stored(client, 'allowed')).toBe(true);
  });

  it('never sends when the condition resolves false', async () => {
    const client = makeClient();
    const command = put('refused');
    const { allowed, settle } = condition();

    const sending = sendWhenAllowed(client, command, allowed, () => client.send(command));
    settle(false);

    expect(await sending).toEqual({ sent: false });
    await turns(5);
    expect(proxy.requests).toHaveLength(0);
    expect(await stored(client, 'refused')).toBe(false);
  });

  it('lets the SDK retry an allowed command', async () => {
    const client = makeClient();
    const command = put('retried');
    proxy.faults.add({ operation: 'PutItem', fault: 'serverError', times: 1 });

    const sent = await sendWhenAllowed(client, command, Promise.resolve(true), () => client.send(command));

    expect(sent).toMatchObject({ sent: true });
    expect(proxy.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('passes on a failure of the allowed send', async () => {
    const client = makeClient();
    const command = new PutItemCommand({ TableName: 'no-such-table', Item: { pk: { S: 'x' }, sk: { S: 'y' } } });

    await expect(sendWhenAllowed(client, command, Promise.resolve(true), () => client.send(command)))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('holdUntilAllowed', () => {
  it('builds and signs the request while the condition is open, and holds only its transport', async () => {
    const client = holdUntilAllowed(dynamoClient());
    const signatures: unknown[] = [];
    client.middlewareStack.add((next) => async (args) => {
      signatures.push((args.request as { headers?: Record<string, string> }).headers?.authorization);
      return next(args);
    }, { step: 'finalizeRequest', priority: 'low', name: 'recordSignature' });
    const command = put('prebuilt');
    const { allowed, settle } = condition();

    const sending = sendWhenAllowed(client, command, allowed, () => client.send(command));
    await turns(5);
    expect(signatures).toEqual([expect.stringMatching(/^AWS4-HMAC-SHA256 /)]);
    expect(proxy.requests).toHaveLength(0);

    settle(true);
    await sending;
    expect(proxy.requests.map((request) => request.headers.authorization)).toEqual(signatures);
  });

  it('fails closed: holds the request even when a middleware hands the later steps a new input object', async () => {
    const client = holdUntilAllowed(dynamoClient());
    // A client middleware that copies the input, as customizations may: a
    // hold that looked its condition up by the input object would miss it
    // and send the request at once.
    client.middlewareStack.add((next) => (args) => next({ ...args, input: { ...(args.input as object) } }), { step: 'initialize', name: 'copyInput' });
    const command = put('copied');
    const { allowed, settle } = condition();

    const sending = sendWhenAllowed(client, command, allowed, () => client.send(command));
    await turns(5);
    expect(proxy.requests).toHaveLength(0);

    settle(false);
    expect(await sending).toEqual({ sent: false });
    await turns(5);
    expect(proxy.requests).toHaveLength(0);
    expect(await stored(client, 'copied')).toBe(false);
  });

  it('leaves commands sent without a condition alone', async () => {
    const client = holdUntilAllowed(dynamoClient());

    await client.send(put('direct'));

    expect(proxy.requests.map((request) => request.operation)).toEqual(['PutItem']);
  });
});
