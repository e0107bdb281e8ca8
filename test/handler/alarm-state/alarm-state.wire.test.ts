import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ALARM_STATE_ENTRY,
  HandlerInstance,
  Invocation,
  LocalAppConfig,
  LocalCloudWatch,
  LocalDynamo,
  startLocalAppConfig,
  startLatencyProxy,
  startLocalCloudWatch,
} from '../../../local';
import { HandlerEnv, Metrics } from '../../../src/contract';
import compositeFixture from '../../fixtures/composite-alarm-state-change.json';
import suppressedFixture from '../../fixtures/composite-alarm-suppressed.json';
import forwardedFixture from '../../fixtures/forwarded-alarm-state-change.json';
import { seedAppConfigDeployment } from '../../support/appconfig-deployment';
import { extensionPayload } from '../../support/extension-payload';
import { handlerEnv } from '../../support/handler-env';
import { hangingServer } from '../../support/hanging-server';
import { TABLE, startLedger, targetItems } from '../../support/synthesized-ledger';
import { alarmEvent, appConfigTarget, ruleInput } from '../support';

// Both bundled entries, each in a worker like its own Lambda function, with
// the real SDK clients talking to local CloudWatch, AppConfig and DynamoDB.
// AppConfig's extension call is made here by the test, with the payload
// AppConfig sends; what AppConfig does with the answer is its own part.
let cloudWatch: LocalCloudWatch;
let appConfig: LocalAppConfig;
let dynamo: LocalDynamo;
let instances: HandlerInstance[];

const METRIC_ALARM = 'checkout-5xx-rate';
const COMPOSITE_ALARM = 'checkout-health';

beforeEach(async () => {
  cloudWatch = await startLocalCloudWatch();
  cloudWatch.state.seed({
    alarms: [
      { name: METRIC_ALARM, state: 'OK' },
      { name: 'checkout-p99-latency', state: 'OK' },
      { name: 'maintenance-window', state: 'OK' },
      { name: COMPOSITE_ALARM, type: 'CompositeAlarm', state: 'OK', alarmRule: 'ALARM("checkout-5xx-rate") OR ALARM("checkout-p99-latency")' },
    ],
  });
  appConfig = await startLocalAppConfig();
  seedAppConfigDeployment(appConfig, 'abc1234', 'env5678', Date.now() - 60_000);
  dynamo = await startLedger();
  instances = [];
});

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  await Promise.all([cloudWatch.close(), appConfig.close(), dynamo.close()]);
});

function start(entry: 'check' | 'rollback', env: Record<string, string> = {}): HandlerInstance {
  const instance = HandlerInstance.start({
    entry: entry === 'check' ? ALARM_STATE_ENTRY : undefined,
    env: {
      ...handlerEnv({ appConfig: appConfig.endpoint, dynamo: dynamo.endpoint, cloudWatch: cloudWatch.endpoint, claimLeaseSeconds: 10 }),
      ...env,
    },
  });
  instances.push(instance);
  return instance;
}

/** A tick payload with its own invocation id, its Target changed by `target`. */
function tick(target: Record<string, unknown> = {}, id = `tick${Math.random().toString(36).slice(2, 8)}`): Record<string, any> {
  return extensionPayload({ target, invocationId: id });
}

function startPayload(target: Record<string, unknown> = {}): Record<string, any> {
  return extensionPayload({ point: 'start', target });
}

const records = () => targetItems(dynamo, appConfigTarget().name);

/** The claim item on deployment 1 of the test's environment. */
async function deploymentClaim(): Promise<Record<string, any> | undefined> {
  const answer = await dynamo.client.send(new GetItemCommand({
    TableName: TABLE, Key: { pk: { S: 'ACTION#appconfig#abc1234#env5678#1' }, sk: { S: 'ACTION' } }, ConsistentRead: true,
  }));
  return answer.Item;
}

function checkMetric(invocation: Invocation): Record<string, unknown> | undefined {
  return invocation.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line[Metrics.ALARM_STATE_CHECK] === 1);
}

describe('the alarm-state check at AT_DEPLOYMENT_TICK', () => {
  it('rolls the deployment back at the first tick when an alarm fired before it started, and records it once', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM', 'Threshold Crossed');
    const check = start('check');

    const first = await check.invoke(tick({}, 'tick0001'));

    expect(first.result).toEqual({ Directive: 'ROLL_BACK', Description: 'alarm checkout-5xx-rate was in a trigger state during the deployment' });
    const [record] = await records();
    expect(record).toMatchObject({
      outcome: { S: 'ROLLED_BACK' },
      trigger: { S: 'DEPLOYMENT_TICK' },
      alarmsFiring: { L: [{ S: METRIC_ALARM }] },
      eventId: { S: 'tick0001' },
      deploymentNumber: { N: '1' },
    });
    expect(checkMetric(first)).toMatchObject({ Trigger: 'DEPLOYMENT_TICK', Result: 'FIRING' });
    // The fired alarm's mute rules are read too: an alarm whose actions a mute rule mutes does not act.
    expect(cloudWatch.requests.map((request) => request.operation)).toEqual(['DescribeAlarms', 'ListAlarmMuteRules']);

    // The next tick finds the claim DONE: it agrees, and records nothing more.
    const second = await check.invoke(tick({}, 'tick0002'));
    expect(second.result).toMatchObject({ Directive: 'ROLL_BACK' });
    expect(await records()).toHaveLength(1);
  });

  it('catches an alarm whose state-change event was lost', async () => {
    // No event reaches the rollback handler: only CloudWatch knows.
    cloudWatch.state.setAlarmState(COMPOSITE_ALARM, 'ALARM');

    const invocation = await start('check').invoke(tick());

    expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK' });
    expect((await records())[0]).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, alarmsFiring: { L: [{ S: COMPOSITE_ALARM }] } });
  });

  it('reads a target of 150 alarms in two DescribeAlarms calls of at most 100 names, and finds the one firing in the second', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `service-${String(i).padStart(3, '0')}`);
    cloudWatch.state.seed({ alarms: names.map((name) => ({ name, state: 'OK' as const })) });
    cloudWatch.state.setAlarmState('service-149', 'ALARM');
    const arns = names.map((name) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`);
    const payload = tick();
    // 30 ARNs a value keep each under AppConfig's 2,048 characters.
    for (let n = 0; n < 5; n++) {
      payload.Parameters[`Alarms${n + 1}`] = JSON.stringify(arns.slice(n * 30, (n + 1) * 30));
    }

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK', Description: 'alarm service-149 was in a trigger state during the deployment' });
    const asked = cloudWatch.requests.filter((request) => request.operation === 'DescribeAlarms').map((request) => (request.params.AlarmNames as string[]).length);
    expect(asked.sort((a, b) => a - b)).toEqual([50, 100]);
  });

  it('continues with only a metric when every alarm is quiet', async () => {
    const invocation = await start('check').invoke(tick());

    expect(invocation.result).toEqual({ Directive: 'CONTINUE', Description: 'no alarm of the target is in a trigger state' });
    expect(await records()).toEqual([]);
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_TICK', Result: 'OK', Target: 'Stack/Rollback/ConfigRollout' });
  });

  it('rolls back on INSUFFICIENT_DATA only when the target triggers on it', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'INSUFFICIENT_DATA');
    const check = start('check');

    expect((await check.invoke(tick())).result).toMatchObject({ Directive: 'CONTINUE' });
    expect((await check.invoke(tick({ triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] }))).result).toMatchObject({ Directive: 'ROLL_BACK' });
  });

  it('continues while the firing alarm\'s actions are disabled, and rolls back once they are enabled again', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], false);
    const check = start('check');

    const paused = await check.invoke(tick());
    expect(paused.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('checkout-5xx-rate (ALARM, but its actions are disabled)') });
    expect(await records()).toEqual([]);

    cloudWatch.state.setActionsEnabled([METRIC_ALARM], true);
    expect((await check.invoke(tick())).result).toMatchObject({ Directive: 'ROLL_BACK' });
  });

  it('rolls back on a paused alarm when the target acts on paused alarms', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], false);

    expect((await start('check').invoke(tick({ actOnPausedAlarms: true }))).result).toMatchObject({ Directive: 'ROLL_BACK' });
  });

  it('continues while an alarm mute rule mutes the firing alarm, rolls back once the rule expires, and reads mutes only for alarms in a trigger state', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.putMuteRule({ name: 'release-window', alarmNames: [METRIC_ALARM], durationMs: 10 * 60_000 });
    const check = start('check');

    const muted = await check.invoke(tick());
    expect(muted.result).toMatchObject({
      Directive: 'CONTINUE',
      Description: expect.stringContaining('checkout-5xx-rate (ALARM, but its actions are muted by alarm mute rule release-window)'),
    });
    expect(await records()).toEqual([]);
    const mutesAsked = cloudWatch.requests.filter((request) => request.operation === 'ListAlarmMuteRules');
    expect(mutesAsked.map((request) => request.params)).toEqual([{ AlarmName: METRIC_ALARM, Statuses: ['ACTIVE'], MaxRecords: 100 }]);

    cloudWatch.state.advance(11 * 60_000);
    expect((await check.invoke(tick())).result).toMatchObject({ Directive: 'ROLL_BACK' });
  });

  it('rolls back on a muted alarm when the target acts on paused alarms, without reading its mute rules', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.putMuteRule({ name: 'release-window', alarmNames: [METRIC_ALARM] });

    expect((await start('check').invoke(tick({ actOnPausedAlarms: true }))).result).toMatchObject({ Directive: 'ROLL_BACK' });
    expect(cloudWatch.requests.map((request) => request.operation)).toEqual(['DescribeAlarms']);
  });

  it('reads a log alarm (AWS::CloudWatch::LogAlarm) with its alarm type, and rolls back when it fires', async () => {
    cloudWatch.state.seed({ alarms: [{ name: 'checkout-log-errors', type: 'LogAlarm', state: 'ALARM' }] });
    const payload = tick();
    payload.Parameters.Alarms1 = JSON.stringify(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-log-errors']);

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toEqual({ Directive: 'ROLL_BACK', Description: 'alarm checkout-log-errors was in a trigger state during the deployment' });
    expect(cloudWatch.requests[0].params.AlarmTypes).toEqual(['MetricAlarm', 'CompositeAlarm', 'LogAlarm']);
  });

  it('continues when a watched alarm does not exist, records ALARM_MISSING once per deployment, counts MISSING and warns at every tick', async () => {
    const payload = (id: string) => {
      const p = tick({}, id);
      p.Parameters.Alarms1 = JSON.stringify([
        'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate',
        'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rat',
      ]);
      return p;
    };
    const check = start('check');

    const first = await check.invoke(payload('tick0001'));
    const second = await check.invoke(payload('tick0002'));

    for (const invocation of [first, second]) {
      expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('not found: checkout-5xx-rat') });
      expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_TICK', Result: 'MISSING' });
      const warning = invocation.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.level === 'WARN');
      expect(JSON.stringify(warning)).toContain('checkout-5xx-rat');
    }
    const recorded = await records();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      outcome: { S: 'ALARM_MISSING' },
      trigger: { S: 'DEPLOYMENT_TICK' },
      eventId: { S: 'tick0001' },
      reason: { S: expect.stringContaining('did not return alarm checkout-5xx-rat of target Stack/Rollback/ConfigRollout') },
    });
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('DEPLOYING');

    // The next deployment records its own.
    seedAppConfigDeployment(appConfig, 'abc1234', 'env5678', Date.now());
    const next = payload('tick0003');
    next.DeploymentNumber = 2;
    await check.invoke(next);
    expect((await records()).map((r) => r.outcome.S)).toEqual(['ALARM_MISSING', 'ALARM_MISSING']);
  });

  it('continues while a composite alarm\'s actions are suppressed', async () => {
    cloudWatch.state.setAlarmState(COMPOSITE_ALARM, 'ALARM');
    cloudWatch.state.suppress(COMPOSITE_ALARM, { by: 'WaitPeriod' });

    const invocation = await start('check').invoke(tick());

    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('suppressed by WaitPeriod') });
  });

  it('rolls back, with the read error as reason, when DescribeAlarms keeps failing and the policy is ROLL_BACK', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'throttle' });

    const invocation = await start('check').invoke(tick());

    // The SDK's backoff on throttling outlasts the read's share of the answer budget.
    expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK', Description: expect.stringMatching(/could not be read \((.*Throttl.*|DescribeAlarms did not answer within the \d+ ms budget)\); the read-failure policy is ROLL_BACK/) });
    const [record] = await records();
    expect(record).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, trigger: { S: 'DEPLOYMENT_TICK' }, reason: { S: expect.stringContaining('could not be read') } });
    expect(record.alarmsFiring).toBeUndefined();
    expect(checkMetric(invocation)).toMatchObject({ Result: 'UNREADABLE' });
  });

  it('continues with a warning and no record when DescribeAlarms keeps failing and the policy is CONTINUE', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });

    const invocation = await start('check', { [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE' }).invoke(tick());

    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('policy is CONTINUE') });
    expect(await records()).toEqual([]);
    expect(invocation.logs.some((line) => line.includes('"level":"WARN"') && line.includes('could not read the alarms'))).toBe(true);
    expect(checkMetric(invocation)).toMatchObject({ Result: 'UNREADABLE' });
  });

  it('answers within its budget when DescribeAlarms is slower than the budget', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: 5_000 });

    const invocation = await start('check', { [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE', [HandlerEnv.ALARM_READ_BUDGET_MS]: '300' }).invoke(tick());

    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('within the 300 ms budget') });
  });

  it('records a malformed association as REJECTED and answers CONTINUE, loudly, whatever the read-failure policy', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const payload = tick();
    payload.Parameters.Alarms1 = '["not an arn"]';

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('Alarms1 parameter') });
    expect((await records())[0]).toMatchObject({
      outcome: { S: 'REJECTED' }, trigger: { S: 'DEPLOYMENT_TICK' }, reason: { S: expect.stringMatching(/Alarms1 parameter.*let the deployment go on/) },
    });
    expect(invocation.logs.some((line) => line.includes('"level":"ERROR"') && line.includes('alarm-state check fault'))).toBe(true);
    expect(checkMetric(invocation)).toMatchObject({ Result: 'REJECTED', [Metrics.ALARM_STATE_FAULT]: 1 });
    expect(cloudWatch.requests).toEqual([]);
  });

  it('answers CONTINUE when the request names another environment than the association', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const payload = tick();
    payload.Environment = { Id: 'oth9999' };

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('Environment.Id is "oth9999"') });
    expect((await records())[0]).toMatchObject({ outcome: { S: 'REJECTED' } });
    expect(checkMetric(invocation)).toMatchObject({ Result: 'REJECTED', [Metrics.ALARM_STATE_FAULT]: 1 });
  });

  it('reads a numeric-string DeploymentNumber and claims that deployment', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const payload = tick({}, 'tickstr1');
    payload.DeploymentNumber = '1';

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK' });
    expect((await records())[0]).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, deploymentNumber: { N: '1' }, eventId: { S: 'tickstr1' } });
  });

  it('rolls back without a deployment number or an invocation id, recording under an id derived from the payload', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const payload = tick();
    delete payload.DeploymentNumber;
    delete payload.InvocationId;

    const invocation = await start('check').invoke(payload);

    expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK', Description: 'alarm checkout-5xx-rate was in a trigger state during the deployment' });
    const [record] = await records();
    expect(record).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, eventId: { S: expect.stringMatching(/^derived-/) }, reason: { S: expect.stringContaining('none was claimed') } });
    expect(record.deploymentNumber).toBeUndefined();
  });

  it('answers by the read-failure policy before a hanging DescribeAlarms answers', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: 10_000 });
    const rollBack = start('check');
    const carryOn = start('check', { [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE' });
    const began = Date.now();

    const [rolled, continued] = await Promise.all([rollBack.invoke(tick()), carryOn.invoke(tick())]);

    expect(Date.now() - began).toBeLessThan(10_000);
    expect(rolled.result).toMatchObject({ Directive: 'ROLL_BACK', Description: expect.stringContaining('did not answer within') });
    expect(continued.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('policy is CONTINUE') });
  });

  it('answers ROLL_BACK before a hanging ledger answers, and keeps the record in the log with a metric', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const proxy = await startLatencyProxy({ target: dynamo.endpoint });
    proxy.faults.add({ operation: '*', fault: 'latency', latencyMs: 10_000 });
    try {
      const check = start('check', { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
      const began = Date.now();

      const invocation = await check.invoke(tick({}, 'tickslow'));

      expect(Date.now() - began).toBeLessThan(10_000);
      expect(invocation.result).toMatchObject({ Directive: 'ROLL_BACK', Description: 'alarm checkout-5xx-rate was in a trigger state during the deployment' });
      const lines = invocation.logs.map((line) => JSON.parse(line) as Record<string, any>);
      const kept = lines.find((line) => line.level === 'ERROR' && String(line.message).includes('this line is the record'));
      expect(kept?.record).toMatchObject({ outcome: 'ROLLED_BACK', eventId: 'tickslow', deploymentNumber: 1, alarmsFiring: [METRIC_ALARM] });
      expect(lines.find((line) => line[Metrics.RECORD_NOT_KEPT] === 1)).toMatchObject({ eventId: 'tickslow' });
    } finally {
      await proxy.close();
    }
  });

  it('answers CONTINUE when every dependency hangs and the policy is CONTINUE', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: 10_000 });
    const proxy = await startLatencyProxy({ target: dynamo.endpoint });
    proxy.faults.add({ operation: '*', fault: 'latency', latencyMs: 10_000 });
    try {
      const check = start('check', { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE' });
      const began = Date.now();

      const invocation = await check.invoke(tick());

      expect(Date.now() - began).toBeLessThan(10_000);
      expect(invocation.result).toMatchObject({ Directive: 'CONTINUE' });
    } finally {
      await proxy.close();
    }
  });
});

describe('the alarm-state check in dry run', () => {
  it('records and notifies once per deployment, not once per tick, and never waits for a hanging topic', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const sns = await hangingServer();
    try {
      const check = start('check', {
        [HandlerEnv.DRY_RUN]: 'true',
        [HandlerEnv.NOTIFICATION_TOPIC_ARN]: 'arn:aws:sns:us-east-1:123456789012:rollbacks',
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
      });
      const began = Date.now();

      const first = await check.invoke(tick({}, 'dry00001'));
      const second = await check.invoke(tick({}, 'dry00002'));
      const third = await check.invoke(tick({}, 'dry00003'));

      expect(Date.now() - began).toBeLessThan(10_000);
      for (const invocation of [first, second, third]) {
        expect(invocation.result).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('dry run: would have rolled back') });
      }
      const dryRuns = (await records()).filter((record) => record.outcome.S === 'DRY_RUN');
      expect(dryRuns.map((record) => record.eventId.S)).toEqual(['dry00001']);
      expect(sns.requests()).toBe(1);
    } finally {
      await sns.close();
    }
  });
});

describe('the alarm-state check at PRE_START_DEPLOYMENT', () => {
  it('refuses the start while an alarm fires, and records DEPLOYMENT_BLOCKED', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');

    const invocation = await start('check').invoke(startPayload());

    expect(invocation.ok).toBe(false);
    expect(invocation.error).toMatchObject({ name: 'DeploymentBlockedError', message: 'alarm checkout-5xx-rate was in a trigger state when the deployment was to start' });
    expect((await records())[0]).toMatchObject({
      outcome: { S: 'DEPLOYMENT_BLOCKED' }, trigger: { S: 'DEPLOYMENT_START' }, alarmsFiring: { L: [{ S: METRIC_ALARM }] },
    });
  });

  it('in dry run lets the start through and records what it would have refused', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');

    const invocation = await start('check', { [HandlerEnv.DRY_RUN]: 'true' }).invoke(startPayload());

    expect(invocation.ok).toBe(true);
    expect((await records())[0]).toMatchObject({ outcome: { S: 'DRY_RUN' }, reason: { S: expect.stringContaining('would have refused the start') } });
  });

  it('lets the start through when blockStart is off, without reading the alarms', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');

    const invocation = await start('check').invoke(startPayload({ blockStart: false }));

    expect(invocation.ok).toBe(true);
    expect(cloudWatch.requests).toEqual([]);
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'NOT_CHECKED' });
  });

  it('lets a fix through while the firing alarm\'s actions are disabled', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], false);

    const invocation = await start('check').invoke(startPayload());

    expect(invocation.ok).toBe(true);
    expect(await records()).toEqual([]);
  });
});

describe('the alarm-state check\'s own faults at PRE_START_DEPLOYMENT', () => {
  it('lets a start through when the association cannot be read, even on a target that blocks starts', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const payload = startPayload();
    payload.Parameters.Target = '{name';

    const invocation = await start('check').invoke(payload);

    expect(invocation.ok).toBe(true);
    expect(invocation.result).toMatchObject({ Directive: 'CONTINUE' });
    // The Target could not be read, so the record is filed under no target's name.
    expect((await targetItems(dynamo, '(unknown target)'))[0]).toMatchObject({ outcome: { S: 'REJECTED' }, trigger: { S: 'DEPLOYMENT_START' } });
    expect(checkMetric(invocation)).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'REJECTED', [Metrics.ALARM_STATE_FAULT]: 1 });
  });

  it('lets a start through on a target that does not block starts while CloudWatch hangs', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: 10_000 });

    const invocation = await start('check').invoke(startPayload({ blockStart: false }));

    expect(invocation.ok).toBe(true);
    expect(cloudWatch.requests).toEqual([]);
  });

  it('refuses a blocking start by the read-failure policy before a hanging DescribeAlarms answers', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: 10_000 });
    const began = Date.now();

    const [refused, allowed] = await Promise.all([
      start('check').invoke(startPayload()),
      start('check', { [HandlerEnv.ALARM_READ_FAILURE]: 'CONTINUE' }).invoke(startPayload()),
    ]);

    expect(Date.now() - began).toBeLessThan(10_000);
    expect(refused.error).toMatchObject({ name: 'DeploymentBlockedError', message: expect.stringContaining('policy is ROLL_BACK') });
    expect(allowed.ok).toBe(true);
  });
});

describe('the event path with trigger states and paused alarms', () => {
  it('ignores INSUFFICIENT_DATA unless the target triggers on it', async () => {
    const event = alarmEvent({ changedAt: Date.now() });
    event.detail.state.value = 'INSUFFICIENT_DATA';
    const rollback = start('rollback');

    const ignored = await rollback.invoke(ruleInput(appConfigTarget(), event));
    expect(ignored.result).toMatchObject({ outcome: 'IGNORED', trigger: 'ALARM_EVENT', reason: expect.stringContaining('acts on ALARM only') });

    cloudWatch.state.setAlarmState(METRIC_ALARM, 'INSUFFICIENT_DATA');
    const acted = await rollback.invoke(ruleInput(appConfigTarget({ triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] }), { ...event, id: 'b1b2c3d4-1d2f-4c3b-8e5a-7f6d5c4b3a21' }));
    expect(acted.result).toMatchObject({ outcome: 'ROLLED_BACK', trigger: 'ALARM_EVENT' });
  });

  it('ignores an alarm event while the alarm\'s actions are disabled, read once the event holds the deployment\'s claim, and gives the claim back', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], false);

    const invocation = await start('rollback').invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: Date.now() })));

    expect(invocation.result).toMatchObject({ outcome: 'IGNORED', reason: expect.stringContaining('its actions are disabled') });
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('DEPLOYING');
    // Only the claim's holder reads the switch, after the claim: one read per
    // deployment however many deliveries race, one round trip before the stop.
    const claimCalls = invocation.httpCalls.filter((call) => call.target === 'DynamoDB_20120810.PutItem');
    const describeCall = invocation.httpCalls.find((call) => call.target === 'GraniteServiceVersion20100801.DescribeAlarms')!;
    expect(claimCalls.length).toBeGreaterThanOrEqual(2);
    expect(describeCall.sentAt).toBeGreaterThan(claimCalls[1].answeredAt!);
    // The claim went back, so a live alarm of the deployment can still act.
    const later = await start('rollback').invoke(ruleInput(appConfigTarget(), { ...alarmEvent({ changedAt: Date.now() }), id: 'd1b2c3d4-1d2f-4c3b-8e5a-7f6d5c4b3a21' }));
    expect(later.result).toMatchObject({ outcome: 'IGNORED' });
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], true);
    const acted = await start('rollback').invoke(ruleInput(appConfigTarget(), { ...alarmEvent({ changedAt: Date.now() }), id: 'e1b2c3d4-1d2f-4c3b-8e5a-7f6d5c4b3a21' }));
    expect(acted.result).toMatchObject({ outcome: 'ROLLED_BACK' });
  });

  it('ignores an alarm event while an alarm mute rule mutes the alarm, and acts once the rule has expired', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.putMuteRule({ name: 'incident-42', alarmNames: [METRIC_ALARM], durationMs: 5 * 60_000 });
    const rollback = start('rollback');

    const muted = await rollback.invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: Date.now() })));
    expect(muted.result).toMatchObject({ outcome: 'IGNORED', reason: expect.stringContaining('its actions are muted by alarm mute rule incident-42') });
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('DEPLOYING');

    cloudWatch.state.advance(6 * 60_000);
    const acted = await rollback.invoke(ruleInput(appConfigTarget(), { ...alarmEvent({ changedAt: Date.now() }), id: 'c1b2c3d4-1d2f-4c3b-8e5a-7f6d5c4b3a21' }));
    expect(acted.result).toMatchObject({ outcome: 'ROLLED_BACK' });
  });

  it('acts when the actions switch cannot be read, and says so in the record', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });

    const invocation = await start('rollback').invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: Date.now() })));

    expect(invocation.result).toMatchObject({ outcome: 'ROLLED_BACK', reason: expect.stringContaining('without knowing whether the alarm\'s actions are paused') });
  });

  it('acts on a forwarded alarm of another account without reading its actions switch, which its own account\'s same-named alarm does not decide', async () => {
    // This account has a paused alarm of the same name; it is not the forwarded one.
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([METRIC_ALARM], false);
    const forwarded = forwardedFixture as Record<string, any>;
    const target = appConfigTarget({ alarmArns: [forwarded.resources[0]] });

    const invocation = await start('rollback').invoke(ruleInput(target, alarmEvent({ changedAt: Date.now(), base: forwarded })),
      { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:222222222222:function:rollback' });

    expect(invocation.result).toMatchObject({
      outcome: 'ROLLED_BACK',
      reason: expect.stringContaining('the alarm is in account 111111111111, whose alarms this function (account 222222222222) cannot read'),
    });
    expect(invocation.httpCalls.filter((call) => call.target === 'GraniteServiceVersion20100801.DescribeAlarms')).toHaveLength(0);
  });

  it('ignores a suppressed composite alarm, then acts once when the suppression ends (ALARM -> ALARM)', async () => {
    cloudWatch.state.setAlarmState(COMPOSITE_ALARM, 'ALARM');
    const rollback = start('rollback');
    const suppressed = alarmEvent({ changedAt: Date.now(), base: suppressedFixture });

    const first = await rollback.invoke(ruleInput(appConfigTarget(), suppressed));
    expect(first.result).toMatchObject({ outcome: 'IGNORED', reason: expect.stringContaining('suppressed by "WaitPeriod"') });

    const ended = alarmEvent({ changedAt: Date.now(), base: compositeFixture });
    ended.detail.previousState.value = 'ALARM';
    const second = await rollback.invoke(ruleInput(appConfigTarget(), ended));
    expect(second.result).toMatchObject({ outcome: 'ROLLED_BACK' });

    const again = alarmEvent({ changedAt: Date.now(), base: compositeFixture });
    again.id = 'd4e5f6a7-1d2f-4c3b-8e5a-7f6d5c4b3a21';
    again.detail.previousState.value = 'ALARM';
    const third = await rollback.invoke(ruleInput(appConfigTarget(), again));
    expect(third.result).toMatchObject({ outcome: 'ALREADY_STOPPED' });
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(1);
  });
});

describe('both paths at once', () => {
  it('makes one rollback between an alarm event and a tick, with truthful records on both', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const rollback = start('rollback');
    const check = start('check');

    const [event, tickCall] = await Promise.all([
      rollback.invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: Date.now() }))),
      check.invoke(tick()).then((answer) => {
        // AppConfig rolls the deployment back on a ROLL_BACK answer.
        if ((answer.result as { Directive?: string } | undefined)?.Directive === 'ROLL_BACK'
          && appConfig.state.getDeployment('abc1234', 'env5678', 1).state === 'DEPLOYING') {
          appConfig.state.stopDeployment('abc1234', 'env5678', 1, { allowRevert: true });
        }
        return answer;
      }),
    ]);

    const outcomes = (await records()).map((record) => `${record.trigger.S}:${record.outcome.S}`).sort();
    // Whoever claims first records ROLLED_BACK; the event that lost records
    // ALREADY_STOPPED after seeing it stopped, the tick that lost records nothing.
    expect([
      ['ALARM_EVENT:ALREADY_STOPPED', 'DEPLOYMENT_TICK:ROLLED_BACK'],
      ['ALARM_EVENT:ROLLED_BACK'],
    ]).toContainEqual(outcomes);
    expect(event.ok).toBe(true);
    expect(tickCall.ok).toBe(true);
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('ROLLED_BACK');
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment').length).toBeLessThanOrEqual(1);
  });

  it('reverts a deployment that completed before AppConfig acted on a tick\'s ROLL_BACK, when the alarm\'s event arrives late', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const alarmAt = Date.now();

    const answered = await start('check').invoke(tick({}, 'ticklate'));
    expect(answered.result).toMatchObject({ Directive: 'ROLL_BACK' });
    // AppConfig never acted on the answer: the deployment ran to completion.
    appConfig.state.advance(30 * 60_000);
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('COMPLETE');

    const late = await start('rollback').invoke(ruleInput(appConfigTarget({ revertCompletedWithinSeconds: 3_600 }), alarmEvent({ changedAt: alarmAt })));

    expect(late.ok).toBe(true);
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('REVERTED');
    const outcomes = Object.fromEntries((await records()).map((record) => [record.trigger?.S ?? 'ALARM_EVENT', record]));
    expect(outcomes.DEPLOYMENT_TICK).toMatchObject({ outcome: { S: 'ROLLED_BACK' }, reason: { S: expect.stringContaining('AppConfig was told') } });
    expect(outcomes.ALARM_EVENT).toMatchObject({
      outcome: { S: 'REVERTED' },
      reason: { S: expect.stringMatching(/deployment tick ticklate told AppConfig to roll deployment 1 back, but a read showed it COMPLETE/) },
    });
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(1);
    expect(await deploymentClaim()).toMatchObject({ claimState: { S: 'DONE' }, intended: { S: 'REVERTED' } });
  });

  it('confirms a tick\'s answer when the deployment is seen rolling back, and records what it saw', async () => {
    cloudWatch.state.setAlarmState(METRIC_ALARM, 'ALARM');
    const alarmAt = Date.now();

    await start('check').invoke(tick({}, 'tickseen'));
    // The tick's claim waits for someone to see AppConfig act on the answer.
    expect(await deploymentClaim()).toMatchObject({ claimState: { S: 'ANSWERED' }, eventId: { S: 'tickseen' } });
    appConfig.state.stopDeployment('abc1234', 'env5678', 1, { allowRevert: true });
    const late = await start('rollback').invoke(ruleInput(appConfigTarget(), alarmEvent({ changedAt: alarmAt })));

    expect(late.ok).toBe(true);
    const event = (await records()).find((record) => record.trigger?.S !== 'DEPLOYMENT_TICK');
    expect(event).toMatchObject({ outcome: { S: 'ALREADY_STOPPED' }, reason: { S: expect.stringContaining('ROLLED_BACK') } });
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(0);
    expect(await deploymentClaim()).toMatchObject({ claimState: { S: 'DONE' }, eventId: { S: 'tickseen' } });
  });
});
