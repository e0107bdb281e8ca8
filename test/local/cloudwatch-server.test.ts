import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DescribeAlarmsCommandInput,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  GetAlarmMuteRuleCommand,
  ListAlarmMuteRulesCommand,
  paginateDescribeAlarms,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { aws, CREDENTIALS, json, MINUTE, sdkError } from './support';
import { AlarmSeed, alarmRuleReferences, LocalCloudWatch, startLocalCloudWatch } from '../../local';
import { DESCRIBE_ALARMS_DEFAULT_TPS } from '../../local/cloudwatch-server';

const T0 = Date.parse('2026-11-20T14:00:00Z');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:oncall';
const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;

const ALARMS: AlarmSeed[] = [
  { name: 'checkout-errors', state: 'ALARM', stateReason: 'Threshold Crossed: 1 datapoint [7.0] was >= 1.0', alarmActions: [TOPIC] },
  { name: 'checkout-latency', state: 'OK' },
  { name: 'payments-errors', state: 'INSUFFICIENT_DATA' },
  { name: 'maintenance', state: 'OK' },
  { name: 'checkout-health', type: 'CompositeAlarm', state: 'OK', alarmRule: 'ALARM("checkout-errors") OR ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-latency)' },
];

let server: LocalCloudWatch;
let client: CloudWatchClient;

beforeEach(async () => {
  server = await startLocalCloudWatch({ clock: () => T0 });
  server.state.seed({ alarms: ALARMS });
  client = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const describe_ = (input: DescribeAlarmsCommandInput = {}) => client.send(new DescribeAlarmsCommand(input));
const names = (alarms: { AlarmName?: string }[] | undefined) => (alarms ?? []).map((alarm) => alarm.AlarmName);
const BOTH: DescribeAlarmsCommandInput = { AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] };

describe('local CloudWatch DescribeAlarms with the real CloudWatchClient', () => {
  it('returns only metric alarms when AlarmTypes is omitted, in name order', async () => {
    const result = await describe_();

    expect(names(result.MetricAlarms)).toEqual(['checkout-errors', 'checkout-latency', 'maintenance', 'payments-errors']);
    expect(result.CompositeAlarms).toEqual([]);
    expect(result.NextToken).toBeUndefined();
  });

  it('returns the state, reason, times and ARN of each alarm, timestamps as Dates', async () => {
    const { MetricAlarms } = await describe_({ AlarmNames: ['checkout-errors'] });

    expect(MetricAlarms).toEqual([expect.objectContaining({
      AlarmName: 'checkout-errors',
      AlarmArn: arn('checkout-errors'),
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint [7.0] was >= 1.0',
      StateUpdatedTimestamp: new Date(T0),
      StateTransitionedTimestamp: new Date(T0),
      ActionsEnabled: true,
      AlarmActions: [TOPIC],
    })]);
  });

  it('returns composite alarms with their rule when AlarmTypes names them', async () => {
    const composite = await describe_({ AlarmTypes: ['CompositeAlarm'] });
    const both = await describe_(BOTH);

    expect(composite.MetricAlarms).toEqual([]);
    expect(composite.CompositeAlarms).toEqual([expect.objectContaining({
      AlarmName: 'checkout-health', AlarmArn: arn('checkout-health'), StateValue: 'OK', AlarmRule: ALARMS[4].alarmRule, ActionsEnabled: true,
    })]);
    expect(composite.CompositeAlarms![0].ActionsSuppressedBy).toBeUndefined();
    expect(names(both.MetricAlarms)).toHaveLength(4);
    expect(names(both.CompositeAlarms)).toEqual(['checkout-health']);
  });

  it('filters by AlarmNames, StateValue, AlarmNamePrefix and ActionPrefix together', async () => {
    const byNames = await describe_({ AlarmNames: ['payments-errors', 'checkout-errors', 'no-such-alarm'] });
    const alarming = await describe_({ ...BOTH, StateValue: 'ALARM' });
    const prefixed = await describe_({ AlarmNamePrefix: 'checkout-', StateValue: 'OK' });
    const notifying = await describe_({ ActionPrefix: 'arn:aws:sns:us-east-1:123456789012:' });

    expect(names(byNames.MetricAlarms)).toEqual(['checkout-errors', 'payments-errors']);
    expect(names(alarming.MetricAlarms)).toEqual(['checkout-errors']);
    expect(alarming.CompositeAlarms).toEqual([]);
    expect(names(prefixed.MetricAlarms)).toEqual(['checkout-latency']);
    expect(names(notifying.MetricAlarms)).toEqual(['checkout-errors']);
  });

  it('pages with MaxRecords and NextToken, metric and composite alarms alike, until no token is left', async () => {
    const pages = [];
    for await (const page of paginateDescribeAlarms({ client, pageSize: 2 }, BOTH)) {
      pages.push([...names(page.MetricAlarms), ...names(page.CompositeAlarms)]);
    }

    expect(pages).toEqual([
      ['checkout-errors', 'checkout-health'],
      ['checkout-latency', 'maintenance'],
      ['payments-errors'],
    ]);
    expect(server.requests.map((request) => request.params.MaxRecords)).toEqual([2, 2, 2]);
  });

  it('answers InvalidNextToken (400) for a token it never issued, and for one issued for other filters', async () => {
    const { NextToken } = await describe_({ MaxRecords: 1 });
    const garbage = await sdkError(describe_({ NextToken: 'not-a-token' }));
    const otherFilters = await sdkError(describe_({ NextToken, StateValue: 'OK', MaxRecords: 1 }));

    for (const error of [garbage, otherFilters]) {
      expect(error.name).toBe('InvalidNextToken');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toMatch(/without NextToken/);
    }
    expect((garbage as unknown as { Code: string }).Code).toBe('InvalidNextToken');
  });

  it('refuses AlarmNames with AlarmNamePrefix as InvalidParameterCombination', async () => {
    const error = await sdkError(describe_({ AlarmNames: ['checkout-errors'], AlarmNamePrefix: 'checkout' }));

    expect(error.name).toBe('InvalidParameterCombinationException');
    expect((error as unknown as { Code: string }).Code).toBe('InvalidParameterCombination');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it.each([
    ['MaxRecords 0', { MaxRecords: 0 }, /maxRecords/],
    ['MaxRecords 101', { MaxRecords: 101 }, /maxRecords/],
    ['101 alarm names', { AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) }, /alarmNames/],
    ['an empty alarm name', { AlarmNames: [''] }, /alarmNames\.1/],
    ['a 256-character alarm name', { AlarmNames: ['a'.repeat(256)] }, /between 1 and 255/],
  ])('answers ValidationException (400, code ValidationError) for %s, naming the member', async (_what, input, member) => {
    const error = await sdkError(describe_(input as DescribeAlarmsCommandInput));

    expect(error.name).toBe('ValidationException');
    expect((error as unknown as { Code: string }).Code).toBe('ValidationError');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(member);
  });

  it('returns a composite alarm\'s children (name, ARN, state, update time only), and an alarm\'s parents (name and ARN only)', async () => {
    const children = await describe_({ ChildrenOfAlarmName: 'checkout-health' });
    const parents = await describe_({ ParentsOfAlarmName: 'checkout-latency' });
    const orphans = await describe_({ ParentsOfAlarmName: 'payments-errors' });

    expect(children.MetricAlarms).toEqual([
      { AlarmName: 'checkout-errors', AlarmArn: arn('checkout-errors'), StateValue: 'ALARM', StateUpdatedTimestamp: new Date(T0) },
      { AlarmName: 'checkout-latency', AlarmArn: arn('checkout-latency'), StateValue: 'OK', StateUpdatedTimestamp: new Date(T0) },
    ]);
    expect(parents.CompositeAlarms).toEqual([{ AlarmName: 'checkout-health', AlarmArn: arn('checkout-health') }]);
    expect(parents.MetricAlarms).toEqual([]);
    expect(orphans.CompositeAlarms).toEqual([]);
  });

  it('refuses ChildrenOfAlarmName with any filter but MaxRecords and NextToken', async () => {
    const error = await sdkError(describe_({ ChildrenOfAlarmName: 'checkout-health', StateValue: 'ALARM' }));

    expect(error.name).toBe('InvalidParameterCombinationException');
    expect(error.message).toMatch(/StateValue/);
  });

  it('reads alarm rules by name or ARN, quoted or not', () => {
    expect(alarmRuleReferences('ALARM("a b") AND NOT OK(c) OR INSUFFICIENT_DATA( arn:aws:cloudwatch:eu-west-1:111122223333:alarm:d )'))
      .toEqual(['a b', 'c', 'd']);
  });
});

describe('local CloudWatch log alarms and alarm mute rules', () => {
  it('returns a log alarm in LogAlarms only when AlarmTypes names LogAlarm', async () => {
    server.state.seed({ alarms: [{ name: 'checkout-log-errors', type: 'LogAlarm', state: 'ALARM' }] });

    const metricOnly = await describe_({ AlarmNames: ['checkout-log-errors'] });
    const all = await describe_({ AlarmNames: ['checkout-log-errors'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'] });

    expect(metricOnly.MetricAlarms).toEqual([]);
    expect(metricOnly.LogAlarms).toEqual([]);
    expect(all.LogAlarms).toEqual([expect.objectContaining({
      AlarmName: 'checkout-log-errors',
      AlarmArn: arn('checkout-log-errors'),
      StateValue: 'ALARM',
      ActionsEnabled: true,
      QueryResultsToAlarm: 1,
      ScheduledQueryConfiguration: expect.objectContaining({ QueryString: expect.any(String) }),
    })]);
  });

  it('lists the mute rules that target an alarm by status, ACTIVE only while the window is open', async () => {
    server.state.seed({ muteRules: [{ name: 'checkout-maintenance', alarmNames: ['checkout-errors'], startsAt: T0 + MINUTE, durationMs: 10 * MINUTE }] });
    const active = () => client.send(new ListAlarmMuteRulesCommand({ AlarmName: 'checkout-errors', Statuses: ['ACTIVE'] }));

    const before = await active();
    server.state.advance(2 * MINUTE);
    const during = await active();
    const otherAlarm = await client.send(new ListAlarmMuteRulesCommand({ AlarmName: 'checkout-latency' }));
    server.state.advance(10 * MINUTE);
    const after = await client.send(new ListAlarmMuteRulesCommand({ AlarmName: 'checkout-errors' }));

    expect(before.AlarmMuteRuleSummaries).toEqual([]);
    expect(during.AlarmMuteRuleSummaries).toEqual([expect.objectContaining({
      AlarmMuteRuleArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:checkout-maintenance',
      Status: 'ACTIVE',
      MuteType: 'ONE_TIME',
      ExpireDate: new Date(T0 + 11 * MINUTE),
    })]);
    expect(otherAlarm.AlarmMuteRuleSummaries).toEqual([]);
    expect(after.AlarmMuteRuleSummaries).toEqual([expect.objectContaining({ Status: 'EXPIRED' })]);
  });

  it('gets a mute rule with its targets, and answers the model\'s ResourceNotFoundException (404) for an unknown one', async () => {
    server.state.seed({ muteRules: [{ name: 'deploy-window', alarmNames: ['checkout-errors', 'checkout-latency'] }] });

    const rule = await client.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: 'deploy-window' }));
    const missing = await sdkError(client.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: 'nope' })));

    expect(rule).toMatchObject({ Name: 'deploy-window', Status: 'ACTIVE', MuteTargets: { AlarmNames: ['checkout-errors', 'checkout-latency'] } });
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });
});

describe('local CloudWatch alarms changing over time', () => {
  it('changes state at scheduled times on the service clock; StateTransitionedTimestamp moves only on a change of value', async () => {
    server.state.schedule('checkout-latency', T0 + 2 * MINUTE, { state: 'ALARM', reason: 'p99 above 800 ms' });
    server.state.schedule('checkout-latency', T0 + 5 * MINUTE, { state: 'ALARM', reason: 'still above' });
    const get = async () => (await describe_({ AlarmNames: ['checkout-latency'] })).MetricAlarms![0];

    const before = await get();
    server.state.advance(3 * MINUTE);
    const firing = await get();
    server.state.advance(3 * MINUTE);
    const still = await get();

    expect(before.StateValue).toBe('OK');
    expect(firing).toMatchObject({ StateValue: 'ALARM', StateReason: 'p99 above 800 ms', StateUpdatedTimestamp: new Date(T0 + 2 * MINUTE) });
    expect(still).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'still above',
      StateUpdatedTimestamp: new Date(T0 + 5 * MINUTE),
      StateTransitionedTimestamp: new Date(T0 + 2 * MINUTE),
    });
  });

  it('sets states with SetAlarmState and answers ResourceNotFound (404) for an unknown alarm', async () => {
    await client.send(new SetAlarmStateCommand({ AlarmName: 'payments-errors', StateValue: 'ALARM', StateReason: 'testing the rollback' }));
    const { MetricAlarms } = await describe_({ StateValue: 'ALARM' });
    const error = await sdkError(client.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'r' })));

    expect(names(MetricAlarms)).toEqual(['checkout-errors', 'payments-errors']);
    expect(error.name).toBe('ResourceNotFound');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('reports ActionsEnabled false after DisableAlarmActions, and true again after EnableAlarmActions', async () => {
    const enabled = async () => (await describe_({ AlarmNames: ['checkout-errors'] })).MetricAlarms![0].ActionsEnabled;

    await client.send(new DisableAlarmActionsCommand({ AlarmNames: ['checkout-errors', 'not-there'] }));
    const disabled = await enabled();
    await client.send(new EnableAlarmActionsCommand({ AlarmNames: ['checkout-errors'] }));

    expect(disabled).toBe(false);
    expect(await enabled()).toBe(true);
  });

  it('disables actions at a scheduled time, as a maintenance window would', async () => {
    server.state.schedule('checkout-errors', T0 + MINUTE, { actionsEnabled: false });
    server.state.schedule('checkout-errors', T0 + 31 * MINUTE, { actionsEnabled: true });
    const enabled = async () => (await describe_({ AlarmNames: ['checkout-errors'] })).MetricAlarms![0].ActionsEnabled;

    const before = await enabled();
    server.state.advance(2 * MINUTE);
    const during = await enabled();
    server.state.advance(30 * MINUTE);

    expect([before, during, await enabled()]).toEqual([true, false, true]);
  });

  it('suppresses a composite alarm\'s actions while its suppressor is in ALARM, then for its extension period', async () => {
    server.state.seed({
      alarms: [{
        name: 'checkout-page',
        type: 'CompositeAlarm',
        state: 'ALARM',
        alarmRule: 'ALARM("checkout-errors")',
        actionsSuppressor: 'maintenance',
        actionsSuppressorWaitPeriod: 120,
        actionsSuppressorExtensionPeriod: 300,
      }],
    });
    const composite = async () => (await describe_({ AlarmTypes: ['CompositeAlarm'], AlarmNames: ['checkout-page'] })).CompositeAlarms![0];

    const waiting = await composite();
    server.state.setAlarmState('maintenance', 'ALARM', 'deploy window');
    const byAlarm = await composite();
    server.state.advance(10 * MINUTE);
    server.state.setAlarmState('maintenance', 'OK', 'window over');
    const extended = await composite();
    server.state.advance(5 * MINUTE);
    const acting = await composite();

    expect(waiting).toMatchObject({ ActionsSuppressedBy: 'WaitPeriod', ActionsSuppressor: 'maintenance', ActionsSuppressorWaitPeriod: 120, ActionsSuppressorExtensionPeriod: 300 });
    expect(byAlarm).toMatchObject({ ActionsSuppressedBy: 'Alarm', ActionsSuppressedReason: expect.stringContaining(arn('maintenance')) });
    expect(extended.ActionsSuppressedBy).toBe('ExtensionPeriod');
    expect(acting.ActionsSuppressedBy).toBeUndefined();
    expect(acting.ActionsSuppressedReason).toBeUndefined();
  });

  it('ends the wait period without a suppressor in ALARM: the composite acts after ActionsSuppressorWaitPeriod', async () => {
    server.state.seed({
      alarms: [{ name: 'checkout-page', type: 'CompositeAlarm', state: 'ALARM', actionsSuppressor: arn('maintenance'), actionsSuppressorWaitPeriod: 120 }],
    });
    const suppressedBy = async () => (await describe_({ AlarmTypes: ['CompositeAlarm'], AlarmNames: ['checkout-page'] })).CompositeAlarms![0].ActionsSuppressedBy;

    const first = await suppressedBy();
    server.state.advance(2 * MINUTE);

    expect([first, await suppressedBy()]).toEqual(['WaitPeriod', undefined]);
  });

  it('takes a suppression set by hand, and a scheduled end of it', async () => {
    server.state.suppress('checkout-health', { by: 'Alarm', reason: 'change freeze' });
    server.state.schedule('checkout-health', T0 + MINUTE, { suppression: null });
    const composite = async () => (await describe_({ AlarmTypes: ['CompositeAlarm'] })).CompositeAlarms![0];

    const suppressed = await composite();
    server.state.advance(MINUTE);

    expect(suppressed).toMatchObject({ ActionsSuppressedBy: 'Alarm', ActionsSuppressedReason: 'change freeze' });
    expect((await composite()).ActionsSuppressedBy).toBeUndefined();
  });

  it('refuses seeds that are not alarms CloudWatch could hold, saying what to change', () => {
    expect(() => server.state.seed({ alarms: [{ name: '' }] })).toThrow(/1 to 255 characters/);
    expect(() => server.state.seed({ alarms: [{ name: 'm', alarmRule: 'ALARM(x)' }] })).toThrow(/type: 'CompositeAlarm'/);
    expect(() => server.state.suppress('checkout-errors', { by: 'Alarm' })).toThrow(/only composite alarms/);
    expect(() => server.state.schedule('nope', T0, { state: 'OK' })).toThrow(/nope not found/);
  });
});

describe('local CloudWatch faults and wire', () => {
  it('throttles DescribeAlarms with Throttling (400), which the SDK retries through', async () => {
    server.faults.add({ operation: 'DescribeAlarms', fault: 'throttle', times: 2 });

    const result = await describe_();

    expect(result.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(server.requests.map((r) => [r.status, r.error])).toEqual([[400, 'Throttling'], [400, 'Throttling'], [200, undefined]]);
  });

  it('surfaces Throttling, then the common InternalFailure (500), once the SDK runs out of attempts', async () => {
    const once = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      server.faults.add({ operation: 'DescribeAlarms', fault: 'throttle', times: 1 });
      server.faults.add({ operation: 'DescribeAlarms', fault: 'serverError', times: 1 });
      const throttled = await sdkError(once.send(new DescribeAlarmsCommand({})));
      const failed = await sdkError(once.send(new DescribeAlarmsCommand({})));

      expect(throttled.name).toBe('Throttling');
      expect(throttled.$metadata.httpStatusCode).toBe(400);
      expect(failed.name).toBe('InternalFailure');
      expect((failed as unknown as { Code: string }).Code).toBe('InternalFailure');
      expect(failed.$metadata.httpStatusCode).toBe(500);
    } finally {
      once.destroy();
    }
  });

  it('enforces a per-operation rate: a burst past DescribeAlarms\' 9 per second is throttled, and the bucket refills on the service clock', async () => {
    let now = T0;
    const limited = await startLocalCloudWatch({ clock: () => now, rateLimits: { DescribeAlarms: DESCRIBE_ALARMS_DEFAULT_TPS } });
    const once = new CloudWatchClient({ endpoint: limited.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const burst = await Promise.allSettled(Array.from({ length: 12 }, () => once.send(new DescribeAlarmsCommand({}))));
      now += 1000;
      const later = await once.send(new DescribeAlarmsCommand({}));

      expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
      const throttled = burst.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { $metadata: { httpStatusCode: number } });
      expect(throttled.map((e) => [e.name, e.$metadata.httpStatusCode])).toEqual([['Throttling', 400], ['Throttling', 400], ['Throttling', 400]]);
      expect(later.$metadata.httpStatusCode).toBe(200);
      expect(limited.requests.filter((r) => r.error === 'Throttling')).toHaveLength(3);
      // Other operations are not limited.
      await expect(once.send(new ListAlarmMuteRulesCommand({}))).resolves.toBeDefined();
    } finally {
      once.destroy();
      await limited.close();
    }
  });

  it('sends awsJson1_0 in query-compatible mode: X-Amz-Target, x-amzn-query-mode and epoch-second timestamps', async () => {
    await describe_({ AlarmNames: ['checkout-errors'] });
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ AlarmNames: ['checkout-errors'] }),
    });
    const body = await response.json() as { MetricAlarms: { StateUpdatedTimestamp: unknown }[] };

    expect(server.requests[0]).toMatchObject({ operation: 'DescribeAlarms', params: { AlarmNames: ['checkout-errors'] } });
    expect(server.requests[0].headers).toMatchObject({
      'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms',
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-mode': 'true',
    });
    expect(body.MetricAlarms[0].StateUpdatedTimestamp).toBe(T0 / 1000);
  });

  it('answers a request in another CloudWatch protocol (rpcv2Cbor, awsQuery) with an error naming the one it speaks', async () => {
    const cbor = await fetch(`${server.endpoint}/service/GraniteServiceVersion20100801/operation/DescribeAlarms`, {
      method: 'POST', headers: { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' }, body: new Uint8Array([0xa0]),
    });
    const query = await fetch(server.endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeAlarms&Version=2010-08-01',
    });

    for (const response of [cbor, query]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-query-error')).toBe('InvalidParameterValue;Sender');
      expect(((await response.json()) as { message: string }).message).toMatch(/speaks awsJson1_0/);
    }
  });
});

/** `aws cloudwatch …` against the local CloudWatch. */
const cloudwatch = (...args: string[]) => aws(server.endpoint, 'cloudwatch', ...args);

describe('local CloudWatch with the AWS CLI', () => {
  it('describes alarms by state and type, and pages through all of them one at a time', async () => {
    const alarming = json(await cloudwatch('describe-alarms', '--state-value', 'ALARM'));
    const all = json(await cloudwatch('describe-alarms', '--alarm-types', 'MetricAlarm', 'CompositeAlarm', '--page-size', '1'));

    expect(alarming.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual(['checkout-errors']);
    // botocore prints awsJson timestamps as it received them: epoch seconds.
    expect(alarming.MetricAlarms[0].StateUpdatedTimestamp).toBe(T0 / 1000);
    expect([...all.MetricAlarms, ...all.CompositeAlarms].map((a: { AlarmName: string }) => a.AlarmName).sort())
      .toEqual(['checkout-errors', 'checkout-health', 'checkout-latency', 'maintenance', 'payments-errors']);
    expect(server.requests.filter((r) => r.params.MaxRecords === 1)).toHaveLength(5);
    expect(server.requests.at(-1)!.headers['user-agent']).toMatch(/^aws-cli\//);
  });

  it('disables an alarm\'s actions and shows it, and reports InvalidNextToken by name with a failing exit code', async () => {
    const disabled = await cloudwatch('disable-alarm-actions', '--alarm-names', 'checkout-errors');
    const described = json(await cloudwatch('describe-alarms', '--alarm-names', 'checkout-errors'));
    const bad = await cloudwatch('describe-alarms', '--next-token', 'not-ours');

    expect(disabled).toMatchObject({ code: 0, stdout: '' });
    expect(described.MetricAlarms[0].ActionsEnabled).toBe(false);
    expect([254, 255]).toContain(bad.code);
    expect(bad.stderr).toMatch(/InvalidNextToken/);
    expect(bad.stderr).toMatch(/DescribeAlarms/);
  });

  it('puts a one-time mute rule and lists it as active for its alarm', async () => {
    const at = new Date(T0).toISOString().slice(0, 16);
    const put = await cloudwatch('put-alarm-mute-rule', '--name', 'release-window', '--rule', JSON.stringify({ Schedule: { Expression: `at(${at})`, Duration: 'PT2H' } }),
      '--mute-targets', JSON.stringify({ AlarmNames: ['checkout-errors'] }));
    const listed = json(await cloudwatch('list-alarm-mute-rules', '--alarm-name', 'checkout-errors', '--statuses', 'ACTIVE'));
    const recurring = await cloudwatch('put-alarm-mute-rule', '--name', 'nightly', '--rule', JSON.stringify({ Schedule: { Expression: 'cron(0 2 * * *)', Duration: 'PT2H' } }),
      '--mute-targets', JSON.stringify({ AlarmNames: ['checkout-errors'] }));

    expect(put.code).toBe(0);
    expect(listed.AlarmMuteRuleSummaries).toEqual([expect.objectContaining({ Status: 'ACTIVE', AlarmMuteRuleArn: expect.stringMatching(/:alarm-mute-rule:release-window$/) })]);
    expect(recurring.code).not.toBe(0);
    expect(recurring.stderr).toMatch(/one-time schedules only/);
  });
});
