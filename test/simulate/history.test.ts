import { execFile } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CloudFormationStub, startCloudFormationStub } from './cloudformation-stub';
import { actionKey, eventKey, keyAttributes } from '../../lambda/shared/ledger/ledger-keys';
import { writeRecord } from '../../lambda/shared/ledger/write-record';
import { main } from '../../local/cli';
import { LocalDynamo } from '../../local/dynamodb';
import { formatHistory } from '../../local/history';
import { RollbackOutcome, RollbackRecord } from '../../src/contract';
import { startLedger, TABLE } from '../support/synthesized-ledger';

// The built command, as `npx cdk-alarm-rollback` runs it from the cdk-alarm-rollback-cli package.
const CLI = join(__dirname, '..', '..', 'packages', 'cli', 'bin', 'cdk-alarm-rollback.js');

const CONFIG = 'Shop/Rollback/Config';
const ENV = 'Shop/Rollback/Env';
const MINUTE = 60_000;

let dynamo: LocalDynamo;
let cloudFormation: CloudFormationStub;

/** Runs the command in this process; the credentials are the SDK's default chain's (set in beforeAll). */
async function history(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['history', '--region', 'eu-west-1', '--endpoint-url', dynamo.endpoint, ...args], {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
  });
  return { code, stdout, stderr };
}

const outcomes = (stdout: string) => (JSON.parse(stdout) as RollbackRecord[]).map((item) => `${item.target} ${item.outcome}`);

/** Writes a record the way the handler does, decided `minutesAgo` before now. */
async function record(target: string, outcome: RollbackOutcome, minutesAgo: number): Promise<void> {
  const recordedAt = new Date(Date.now() - minutesAgo * MINUTE).toISOString();
  const eventId = randomUUID();
  await writeRecord(dynamo.client, TABLE, eventKey(target, recordedAt, eventId), {
    outcome,
    reason: `${outcome} for the test`,
    rollback: 'Shop/Rollback',
    target,
    eventId,
    eventTime: recordedAt,
    alarmName: 'shop-errors',
    apiCalls: [],
    durationMs: 12,
    recordedAt,
  }, Math.floor(Date.now() / 1000) + 86_400);
}

beforeAll(async () => {
  // The SDK's default credential chain reads these first.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDHISTORYTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'history-test-secret';
  dynamo = await startLedger();
  await record(CONFIG, RollbackOutcome.ROLLED_BACK, 10);
  await record(CONFIG, RollbackOutcome.DUPLICATE, 9);
  await record(CONFIG, RollbackOutcome.NO_ACTIVE_DEPLOYMENT, 3 * 24 * 60);
  await record(ENV, RollbackOutcome.CANCEL_REQUESTED, 60);
  await record(ENV, RollbackOutcome.FAILED, 5);
  // A claim: no outcome, never a record of the history.
  await dynamo.client.send(new (await import('@aws-sdk/client-dynamodb')).PutItemCommand({
    TableName: TABLE,
    Item: { ...keyAttributes(actionKey('abc1234', 'env5678', 1)), claimState: { S: 'CLAIMED' } },
  }));
  cloudFormation = await startCloudFormationStub({
    Shop: {
      template: {
        Resources: {
          RollbackLedger1A2B3C4D: { Type: 'AWS::DynamoDB::Table' },
          RollbackHandler5E6F7A8B: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { ROLLBACK_LEDGER_TABLE: { Ref: 'RollbackLedger1A2B3C4D' } } } } },
          RollbackHandlerRole: { Type: 'AWS::IAM::Role' },
          Errors: { Type: 'AWS::CloudWatch::Alarm' },
        },
      },
      physicalIds: { RollbackLedger1A2B3C4D: TABLE },
    },
    Other: { template: { Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }, physicalIds: {} },
  });
});

afterAll(async () => {
  await Promise.all([dynamo?.close(), cloudFormation?.close()]);
});

describe('cdk-alarm-rollback history', () => {
  it('lists every record of a table newest first, and no claims', async () => {
    const result = await history('--table', TABLE, '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(outcomes(result.stdout)).toEqual([
      `${ENV} FAILED`,
      `${CONFIG} DUPLICATE`,
      `${CONFIG} ROLLED_BACK`,
      `${ENV} CANCEL_REQUESTED`,
      `${CONFIG} NO_ACTIVE_DEPLOYMENT`,
    ]);
  });

  it('filters by target, outcome and age', async () => {
    const byTarget = await history('--table', TABLE, '--target', CONFIG, '--since', '1h', '--json');
    const byOutcome = await history('--table', TABLE, '--outcome', 'failed', '--json');
    const byOutcomeAndAge = await history('--table', TABLE, '--outcome', 'NO_ACTIVE_DEPLOYMENT', '--since', '2d', '--json');
    const byAll = await history('--table', TABLE, '--target', ENV, '--outcome', 'CANCEL_REQUESTED', '--since', new Date(Date.now() - 2 * 60 * MINUTE).toISOString(), '--json');

    expect(outcomes(byTarget.stdout)).toEqual([`${CONFIG} DUPLICATE`, `${CONFIG} ROLLED_BACK`]);
    expect(outcomes(byOutcome.stdout)).toEqual([`${ENV} FAILED`]);
    expect(outcomes(byOutcomeAndAge.stdout)).toEqual([]);
    expect(outcomes(byAll.stdout)).toEqual([`${ENV} CANCEL_REQUESTED`]);
  });

  it('finds the ledger of a stack from the table its rollback handler is given', async () => {
    const result = await history('--stack', 'Shop', '--cloudformation-endpoint-url', cloudFormation.endpoint, '--since', '30m', '--json');

    expect(result.stderr).toBe('');
    expect(outcomes(result.stdout)).toEqual([`${ENV} FAILED`, `${CONFIG} DUPLICATE`, `${CONFIG} ROLLED_BACK`]);
    // The deployed template, and every page of the stack's resources (two per page in the stub).
    expect(cloudFormation.requests.filter((request) => request.stackName === 'Shop')).toEqual(expect.arrayContaining([
      { action: 'GetTemplate', stackName: 'Shop', templateStage: 'Processed' },
      { action: 'ListStackResources', stackName: 'Shop', templateStage: undefined },
    ]));
    expect(cloudFormation.requests.filter((request) => request.action === 'ListStackResources' && request.stackName === 'Shop')).toHaveLength(2);
  });

  it('prints a table with one record per line and says how many older records the limit left out', async () => {
    const result = await history('--table', TABLE, '--limit', '2');

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RECORDED\s+OUTCOME\s+TARGET\s+ALARM\s+DEPLOYMENT\s+STATE\s+REASON$/);
    expect(lines[1]).toMatch(new RegExp(`Z  FAILED\\s+${ENV}\\s+shop-errors\\s+FAILED for the test$`));
    expect(lines[2]).toMatch(/DUPLICATE/);
    expect(lines[3]).toBe('(3 older record(s) not shown: --limit 0 shows every record)');
  });

  it('names a stack target\'s update by its stack and start, beside AppConfig and Proton deployments', () => {
    const stackId = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/ShopApi/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
    const base = { rollback: 'Shop/Rollback', eventId: 'e', apiCalls: [], durationMs: 1, alarmName: 'shop-api-5xx' };
    const table = formatHistory([
      {
        ...base,
        recordedAt: '2026-11-20T14:03:00.000Z',
        outcome: RollbackOutcome.COMPLETED_BEFORE_STOP,
        target: 'Shop/Rollback/Api',
        targetKind: 'cloudformation-stack',
        deploymentId: `${stackId}@2026-11-20T14:00:00.000Z`,
        stateBefore: 'UPDATE_COMPLETE',
        reason: 'completed before the event',
      },
      {
        ...base,
        recordedAt: '2026-11-20T14:02:00.000Z',
        outcome: RollbackOutcome.CANCEL_REQUESTED,
        target: 'Shop/Rollback/Api',
        targetKind: 'cloudformation-stack',
        deploymentId: `${stackId}@2026-11-20T13:50:00.000Z`,
        stateBefore: 'UPDATE_IN_PROGRESS',
        stateAfter: 'UPDATE_ROLLBACK_IN_PROGRESS',
        reason: 'cancelled',
      },
      { ...base, recordedAt: '2026-11-20T14:01:00.000Z', outcome: RollbackOutcome.ROLLED_BACK, target: CONFIG, applicationId: 'abc1234', environmentId: 'env5678', deploymentNumber: 3, reason: 'stopped' },
      { ...base, recordedAt: '2026-11-20T14:00:00.000Z', outcome: RollbackOutcome.CANCEL_REQUESTED, target: ENV, environmentName: 'shop-prod', deploymentId: 'd-1', reason: 'cancelled' },
    ]);

    const rows = table.split('\n').map((line) => line.split(/\s{2,}/));
    expect(rows.map((row) => row[4])).toEqual(['DEPLOYMENT', 'ShopApi update 2026-11-20T14:00:00.000Z', 'ShopApi update 2026-11-20T13:50:00.000Z', 'abc1234/env5678 #3', 'shop-prod d-1']);
    expect(rows[1][1]).toBe('COMPLETED_BEFORE_STOP');
    expect(rows[2][5]).toBe('UPDATE_IN_PROGRESS -> UPDATE_ROLLBACK_IN_PROGRESS');
  });

  it('says so when no record matches', async () => {
    const result = await history('--table', TABLE, '--target', 'Shop/Rollback/Nothing');

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`No records in ledger table ${TABLE} with target Shop/Rollback/Nothing.\n`);
  });

  it.each([
    [['--table', TABLE, '--outcome', 'ROLLEDBACK'], /--outcome "ROLLEDBACK" is not an outcome; did you mean ROLLED_BACK\? Outcomes: ROLLED_BACK, REVERTED/],
    [['--table', TABLE, '--since', 'yesterday'], /--since "yesterday" is neither an age nor a time: give an age like 30m, 2h or 7d/],
    [['--table', TABLE, '--since', '2026-11-01T00:00:00'], /--since "2026-11-01T00:00:00" is neither an age nor a time: .*with a zone/],
    [['--table', TABLE, '--limit', 'ten'], /--limit "ten" must be a whole number/],
    [['--target', CONFIG], /history needs exactly one of --stack .* or --table/],
    [['--tabel', TABLE], /Unknown option '--tabel'\. Did you mean --table\?/],
    [['--table', 'no-such-ledger'], /ledger table no-such-ledger was not found \(.*\): check the name and --region/],
  ])('refuses %j with what to do, in one line', async (args, message) => {
    const result = await history(...args);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('names the stack when it does not exist or holds no rollback handler', async () => {
    const missing = await history('--stack', 'Missing', '--cloudformation-endpoint-url', cloudFormation.endpoint);
    const other = await history('--stack', 'Other', '--cloudformation-endpoint-url', cloudFormation.endpoint);

    expect(missing.stderr).toMatch(/Stack with id Missing does not exist: check --stack and --region/);
    expect(other.stderr).toMatch(/stack Other has no rollback handler \(no AWS::Lambda::Function with the ROLLBACK_LEDGER_TABLE variable\)/);
  });
});

describe('cdk-alarm-rollback history, as shipped', () => {
  const files = mkdtempSync(join(tmpdir(), 'history-profile-'));
  // No credentials in the environment and no instance metadata: only what the profile gives.
  const env = (extra: Record<string, string>) => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_REGION: _region, AWS_PROFILE: _profile, ...rest } = process.env;
    return { ...rest, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(files, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(files, 'credentials'), ...extra };
  };
  // Not spawnSync: the local DynamoDB runs in this process and must keep answering.
  const run = (environment: Record<string, string | undefined>, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'history', ...args], { encoding: 'utf8', timeout: 30_000, env: environment }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });

  beforeAll(() => {
    writeFileSync(join(files, 'config'), '[profile ledger-reader]\nregion = eu-west-1\n');
    writeFileSync(join(files, 'credentials'), '[ledger-reader]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n');
  });

  it('reads with the credentials and region of a --profile', async () => {
    const result = await run(env({}), '--profile', 'ledger-reader', '--endpoint-url', dynamo.endpoint, '--table', TABLE, '--outcome', 'ROLLED_BACK', '--json');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(outcomes(result.stdout)).toEqual([`${CONFIG} ROLLED_BACK`]);
  });

  it('says how to give credentials when the default chain finds none', async () => {
    const result = await run(env({}), '--region', 'eu-west-1', '--endpoint-url', dynamo.endpoint, '--table', TABLE);

    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no AWS credentials \(.*\): configure the SDK's default chain .* or pass --profile/);
  });

  it('says how to give a region when none is configured', async () => {
    const result = await run(env({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' }), '--endpoint-url', dynamo.endpoint, '--table', TABLE);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no AWS region: pass --region, set AWS_REGION, or give the profile a region/);
  });
});
