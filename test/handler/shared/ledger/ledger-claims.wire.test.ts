import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ledgerActionClaims } from '../../../../lambda/shared/ledger/action-claims';
import { claimEvent } from '../../../../lambda/shared/ledger/claim-event';
import { actionKey, eventKey } from '../../../../lambda/shared/ledger/ledger-keys';
import { writeRecord } from '../../../../lambda/shared/ledger/write-record';
import type { LocalDynamo } from '../../../../local';
import { Ledger, RollbackOutcome } from '../../../../src/contract';
import { TABLE, startLedger } from '../../../support/synthesized-ledger';

// The claims' condition expressions, run against a real DynamoDB
// implementation and the table the stack declares: a mock would accept an
// expression DynamoDB rejects.
let ledger: LocalDynamo;
let client: DynamoDBClient;
const T0 = Date.parse('2026-11-20T14:03:11Z');

beforeAll(async () => {
  ledger = await startLedger();
  client = ledger.client;
});

afterAll(() => ledger.close());

const claim = (key: ReturnType<typeof eventKey>, requestId: string, now: number) =>
  claimEvent(client, { table: TABLE, key, requestId, now, leaseSeconds: 30, expiresAt: Math.floor(now / 1000) + 86_400 });

function record(outcome: RollbackOutcome, eventId: string) {
  return {
    outcome,
    reason: 'test',
    rollback: 'Stack/Rollback',
    target: 'Stack/Rollback/ConfigRollout',
    eventId,
    apiCalls: ['appconfig:ListDeployments'],
    durationMs: 12,
    recordedAt: new Date(T0).toISOString(),
  };
}

describe('ledger claims on a real DynamoDB implementation', () => {
  it('lets one delivery of an event claim it, and calls the next one a duplicate', async () => {
    const key = eventKey('Stack/Rollback/A', '2026-11-20T14:03:10Z', 'e-1');

    expect(await claim(key, 'r-1', T0)).toEqual({ status: 'CLAIMED' });
    expect(await claim(key, 'r-2', T0 + 1_000)).toEqual({ status: 'DUPLICATE' });
    await writeRecord(client, TABLE, key, record(RollbackOutcome.ROLLED_BACK, 'e-1'), 0);
    expect(await claim(key, 'r-3', T0 + 3_600_000)).toEqual({ status: 'DUPLICATE' });
  });

  it('lets a retry take over a claim whose holder died, once the lease is over', async () => {
    const key = eventKey('Stack/Rollback/A', '2026-11-20T14:03:10Z', 'e-2');

    await claim(key, 'r-1', T0);
    expect(await claim(key, 'r-2', T0 + 29_000)).toEqual({ status: 'DUPLICATE' });
    expect(await claim(key, 'r-2', T0 + 31_000)).toEqual({ status: 'CLAIMED' });
  });

  it('lets a request take its own unfinished claim again, as when a retried write finds the first one landed', async () => {
    const key = eventKey('Stack/Rollback/A', '2026-11-20T14:03:10Z', 'e-4');

    expect(await claim(key, 'r-1', T0)).toEqual({ status: 'CLAIMED' });
    expect(await claim(key, 'r-1', T0)).toEqual({ status: 'CLAIMED' });
    expect(await claim(key, 'r-2', T0 + 1_000)).toEqual({ status: 'DUPLICATE' });
    await writeRecord(client, TABLE, key, record(RollbackOutcome.ROLLED_BACK, 'e-4'), 0);
    expect(await claim(key, 'r-1', T0 + 2_000)).toEqual({ status: 'DUPLICATE' });
  });

  it('lets a retry take over an event whose earlier attempt FAILED', async () => {
    const key = eventKey('Stack/Rollback/A', '2026-11-20T14:03:10Z', 'e-3');

    await claim(key, 'r-1', T0);
    await writeRecord(client, TABLE, key, record(RollbackOutcome.FAILED, 'e-3'), 0);
    expect(await claim(key, 'r-2', T0 + 1_000)).toEqual({ status: 'CLAIMED' });
  });

  it('gives a deployment to one event, back to the same event, and to another after release', async () => {
    const key = actionKey('appconfig', 'abc1234', 'env5678', 3);
    const first = ledgerActionClaims(client, { table: TABLE, eventId: 'e-1', targetName: 't', now: () => T0, leaseSeconds: 30, expiresAt: 0 });
    const second = ledgerActionClaims(client, { table: TABLE, eventId: 'e-2', targetName: 't', now: () => T0 + 1_000, leaseSeconds: 30, expiresAt: 0 });

    expect(await first.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'CLAIMED' });
    expect(await second.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'TAKEN' });
    expect(await first.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'CLAIMED' });
    expect(await first.heldByThisEvent(key)).toBe(RollbackOutcome.ROLLED_BACK);
    expect(await second.heldByThisEvent(key)).toBeUndefined();

    await second.release(key);
    expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }))).Item).toBeDefined();
    await first.release(key);
    expect(await second.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'CLAIMED' });
  });

  it('owns a claim by event and target: the same event for another target neither takes nor releases it', async () => {
    const key = actionKey('appconfig', 'abc1234', 'env5678', 4);
    const options = { table: TABLE, eventId: 'e-1', now: () => T0, leaseSeconds: 30, expiresAt: 0 };
    const first = ledgerActionClaims(client, { ...options, targetName: 'Stack/Rollback/A' });
    const second = ledgerActionClaims(client, { ...options, targetName: 'Stack/Rollback/B' });

    expect(await first.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'CLAIMED' });
    expect(await second.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'TAKEN' });
    expect(await second.heldByThisEvent(key)).toBeUndefined();
    await second.release(key);
    expect(await second.read(key)).toEqual({ state: 'CLAIMED', eventId: 'e-1', target: 'Stack/Rollback/A' });
  });

  it('marks a claim DONE for its owner only, and never gives a DONE claim away, not even after the lease', async () => {
    const key = actionKey('appconfig', 'abc1234', 'env5678', 5);
    const owner = ledgerActionClaims(client, { table: TABLE, eventId: 'e-1', targetName: 't', now: () => T0, leaseSeconds: 30, expiresAt: 0 });
    const other = ledgerActionClaims(client, { table: TABLE, eventId: 'e-2', targetName: 't', now: () => T0 + 3_600_000, leaseSeconds: 30, expiresAt: 0 });

    await owner.claim(key, RollbackOutcome.ROLLED_BACK);
    await other.markDone(key, RollbackOutcome.ROLLED_BACK);
    expect(await other.read(key)).toMatchObject({ state: 'CLAIMED', eventId: 'e-1' });
    await owner.markDone(key, RollbackOutcome.ROLLED_BACK);
    expect(await other.read(key)).toEqual({ state: 'DONE', eventId: 'e-1', target: 't' });

    expect(await other.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'TAKEN' });
    await owner.release(key);
    expect(await other.read(key)).toMatchObject({ state: 'DONE' });
    expect(await owner.heldByThisEvent(key)).toBe(RollbackOutcome.ROLLED_BACK);
  });

  it('reads a claim that was never made, or was given back, as ABSENT', async () => {
    const key = actionKey('proton', 'prod', 'd-9');
    const claims = ledgerActionClaims(client, { table: TABLE, eventId: 'e-1', targetName: 't', now: () => T0, leaseSeconds: 30, expiresAt: 0 });

    expect(await claims.read(key)).toEqual({ state: 'ABSENT' });
    await claims.claim(key, RollbackOutcome.CANCEL_REQUESTED);
    await claims.release(key);
    expect(await claims.read(key)).toEqual({ state: 'ABSENT' });
  });

  it('hands a deployment over once the holder outlived its lease', async () => {
    const key = actionKey('proton', 'prod', 'd-1');
    const dead = ledgerActionClaims(client, { table: TABLE, eventId: 'e-1', targetName: 't', now: () => T0, leaseSeconds: 30, expiresAt: 0 });
    const later = ledgerActionClaims(client, { table: TABLE, eventId: 'e-2', targetName: 't', now: () => T0 + 31_000, leaseSeconds: 30, expiresAt: 0 });

    await dead.claim(key, RollbackOutcome.CANCEL_REQUESTED);
    expect(await later.claim(key, RollbackOutcome.CANCEL_REQUESTED)).toEqual({ status: 'CLAIMED' });
  });

  it('hands over a claim written before claims had states, once its lease is over', async () => {
    const key = actionKey('appconfig', 'abc1234', 'env5678', 7);
    // The shape an earlier release wrote: no claimState.
    await client.send(new PutItemCommand({
      TableName: TABLE,
      Item: {
        [Ledger.PARTITION_KEY]: { S: key.pk },
        [Ledger.SORT_KEY]: { S: key.sk },
        eventId: { S: 'e-old' },
        target: { S: 't' },
        intended: { S: RollbackOutcome.ROLLED_BACK },
        claimedAt: { N: String(T0) },
      },
    }));
    const early = ledgerActionClaims(client, { table: TABLE, eventId: 'e-new', targetName: 't', now: () => T0 + 29_000, leaseSeconds: 30, expiresAt: 0 });
    const late = ledgerActionClaims(client, { table: TABLE, eventId: 'e-new', targetName: 't', now: () => T0 + 31_000, leaseSeconds: 30, expiresAt: 0 });

    expect(await early.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'TAKEN' });
    expect(await late.claim(key, RollbackOutcome.ROLLED_BACK)).toEqual({ status: 'CLAIMED' });
  });

  it('indexes records, and only records, by outcome', async () => {
    const key = eventKey('Stack/Rollback/B', '2026-11-20T15:00:00Z', 'e-9');
    await claim(key, 'r-1', T0);
    await writeRecord(client, TABLE, key, record(RollbackOutcome.REVERTED, 'e-9'), 0);

    const answer = await client.send(new QueryCommand({
      TableName: TABLE,
      IndexName: Ledger.OUTCOME_INDEX,
      KeyConditionExpression: '#outcome = :outcome',
      ExpressionAttributeNames: { '#outcome': Ledger.OUTCOME_INDEX_PARTITION_KEY },
      ExpressionAttributeValues: { ':outcome': { S: RollbackOutcome.REVERTED } },
    }));
    expect(answer.Items?.map((item) => item.eventId.S)).toEqual(['e-9']);
  });

  it('keeps the first final record of an event, and lets a later decision replace only FAILED', async () => {
    const key = eventKey('Stack/Rollback/C', '2026-11-20T16:00:00Z', 'e-10');
    await claim(key, 'r-1', T0);

    expect(await writeRecord(client, TABLE, key, record(RollbackOutcome.FAILED, 'e-10'), 0)).toBe(true);
    expect(await writeRecord(client, TABLE, key, record(RollbackOutcome.ROLLED_BACK, 'e-10'), 0)).toBe(true);
    expect(await writeRecord(client, TABLE, key, record(RollbackOutcome.ALREADY_STOPPED, 'e-10'), 0)).toBe(false);
    const item = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }));
    expect(item.Item?.outcome?.S).toBe('ROLLED_BACK');
  });
});
