import {
  alarmArn,
  alarmEvent,
  appConfigTarget,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  ROLLBACK_NAME,
  ruleInput,
  sleep,
  startLedger,
} from './support';
import {
  ALARM_STATE_ENTRY,
  AsyncInvoker,
  AsyncResult,
  HandlerInstance,
  LocalAppConfig,
  LocalCloudWatch,
  LocalDynamo,
  RecordedRequest,
  startLocalAppConfig,
  startLocalCloudWatch,
} from '../../local';
import { DESCRIBE_ALARMS_DEFAULT_TPS } from '../../local/cloudwatch-server';
import { extensionPayload } from '../support/extension-payload';

// DescribeAlarms has a per-account, per-Region quota of 9 requests a second
// by default (CloudWatch User Guide, "CloudWatch service quotas"); the local
// CloudWatch here enforces it and answers Throttling past it, as CloudWatch
// does. Both functions share that quota with everything else in the account.
const APP = 'app0001';
const MINUTE = 60_000;

let cloudWatch: LocalCloudWatch;
let appConfig: LocalAppConfig;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let checks: HandlerInstance[] = [];

const envId = (d: number) => `env${String(d).padStart(4, '0')}`;
const alarmOf = (d: number) => `service-${String(d).padStart(2, '0')}-5xx`;
const quietAlarmOf = (d: number) => `service-${String(d).padStart(2, '0')}-latency`;

async function startServices(deployments: number, timeScale = 1): Promise<void> {
  cloudWatch = await startLocalCloudWatch({ rateLimits: { DescribeAlarms: DESCRIBE_ALARMS_DEFAULT_TPS }, timeScale });
  cloudWatch.state.seed({
    alarms: Array.from({ length: deployments }, (_, d) => [
      { name: alarmOf(d), state: 'ALARM' as const },
      { name: quietAlarmOf(d), state: 'OK' as const },
    ]).flat(),
  });
  appConfig = await startLocalAppConfig();
  appConfig.state.seed({
    applications: [{ id: APP, environments: Array.from({ length: deployments }, (_, d) => ({ id: envId(d) })) }],
    deploymentStrategies: [{ id: 'linear10', deploymentDurationInMinutes: 10, growthFactor: 10, finalBakeTimeInMinutes: 10 }],
    deployments: Array.from({ length: deployments }, (_, d) => ({
      applicationId: APP, environmentId: envId(d), deploymentStrategyId: 'linear10', startedAt: Date.now() - MINUTE,
    })),
  });
  dynamo = await startLedger();
}

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all(checks.map((check) => check.kill()));
  checks = [];
  await Promise.all([cloudWatch.close(), appConfig.close(), dynamo.close()]);
});

function env(): Record<string, string> {
  return handlerEnv({ appConfig: appConfig.endpoint, dynamo: dynamo.endpoint, cloudWatch: cloudWatch.endpoint });
}

/** An AT_DEPLOYMENT_TICK payload for deployment 1 of environment `d`, watching `alarm`. */
function tick(d: number, id: string, alarm = alarmOf(d)): Record<string, any> {
  return extensionPayload({
    invocationId: id,
    applicationId: APP,
    environmentId: envId(d),
    target: {
      name: `${ROLLBACK_NAME}/${envId(d)}`, applicationId: APP, environmentId: envId(d), triggerStates: ['ALARM'], actOnPausedAlarms: false, blockStart: false,
    },
    alarmArns: [alarmArn(alarm)],
  });
}

const describeCalls = () => callsOf(cloudWatch.requests, 'DescribeAlarms');
const throttled = () => describeCalls().filter((request) => request.error === 'Throttling');

describe('DescribeAlarms calls stay inside the default quota', () => {
  it('reads the alarm once for a burst of 30 deliveries for one deployment on 8 execution environments', async () => {
    await startServices(1);
    invoker = invokerFor(env(), 8);
    const target = appConfigTarget({ applicationId: APP, environmentId: envId(0), alarmArns: [alarmArn(alarmOf(0))], name: `${ROLLBACK_NAME}/${envId(0)}` });

    const results = await Promise.all(Array.from({ length: 30 }, () =>
      invoker!.invoke(ruleInput(target, alarmEvent({ alarmName: alarmOf(0), ...happeningNow() })))));

    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(callsOf(appConfig.requests, 'StopDeployment')).toHaveLength(1);
    expect(countOutcomes(await ledgerItems(dynamo))).toEqual({ ROLLED_BACK: 1, ALREADY_STOPPED: 29 });
    // Only the claim's holder reads the switch: far inside the 9 the issue allows.
    expect(describeCalls().length).toBeLessThanOrEqual(9);
    expect(describeCalls()).toHaveLength(1);
    expect(throttled()).toEqual([]);
  });

  it('keeps 50 deployments ticking and a storm of 500 alarm events in one minute under 9 DescribeAlarms a second, without a throttled or unread alarm', async () => {
    // Service time runs 6 times faster than the test's: the minute takes 10 s,
    // and the quota is counted in service seconds.
    const timeScale = 6;
    const deployments = 50;
    // One deployment more than the minute plays: the warm-ups' own (below).
    const warmUpDeployment = deployments;
    await startServices(deployments + 1, timeScale);
    invoker = invokerFor(env(), 8);
    checks = Array.from({ length: 4 }, () => HandlerInstance.start({ entry: ALARM_STATE_ENTRY, env: env() }));
    // Each check answers one tick before the minute, so no tick of the minute
    // is its instance's first. A cold start's answer budget is counted from
    // the runtime's start (answer-deadline.ts): on a loaded machine, loading
    // the bundle alone can spend it, the read is cut and the tick answers
    // with the read-failure policy (ROLL_BACK), taking its deployment's claim
    // so that the events of that deployment wait out the claim's lease. The
    // minute is about the quota, not cold starts: the warm-ups tick a
    // deployment of their own, their answers are whatever the machine's load
    // made them, and their reads are counted apart from the minute's.
    const warmUps = await Promise.all(checks.map((check, c) =>
      check.invoke(tick(warmUpDeployment, `warm${String(c).padStart(4, '0')}`, quietAlarmOf(warmUpDeployment)))));
    expect(warmUps.map((warmUp) => warmUp.ok)).toEqual(checks.map(() => true));
    // A warm-up's read names only its deployment's alarm, so it is told apart
    // from the minute's reads even if a cut one arrives late.
    const warmUpAlarm = quietAlarmOf(warmUpDeployment);
    const isWarmUp = (request: RecordedRequest) => JSON.stringify(request.params.AlarmNames ?? []).includes(`"${warmUpAlarm}"`);
    const slot = MINUTE / timeScale / deployments;
    const work: Array<Promise<unknown>> = [];
    const tickAnswers: unknown[] = [];
    const eventResults: AsyncResult[] = [];
    for (let d = 0; d < deployments; d++) {
      // Deployment d ticks once in its slot of the minute, and its firing
      // alarm's ten events arrive within the same slot. The tick watches the
      // deployment's other, quiet alarm: what AppConfig does with a tick's
      // ROLL_BACK is its own part, and not played here.
      const at = d * slot;
      work.push(sleep(at).then(() => checks[d % checks.length].invoke(tick(d, `tick${String(d).padStart(4, '0')}`, quietAlarmOf(d))))
        .then((answer) => tickAnswers.push(answer.result)));
      const target = appConfigTarget({ applicationId: APP, environmentId: envId(d), alarmArns: [alarmArn(alarmOf(d))], name: `${ROLLBACK_NAME}/${envId(d)}` });
      for (let k = 0; k < 10; k++) {
        work.push(sleep(at + (k * slot) / 10)
          .then(() => invoker!.invoke(ruleInput(target, alarmEvent({ alarmName: alarmOf(d), ...happeningNow() }))))
          .then((result) => eventResults.push(result)));
      }
    }
    await Promise.all(work);

    // Every deployment stopped once, by the first of its events; every tick read its alarms.
    expect(callsOf(appConfig.requests, 'StopDeployment')).toHaveLength(deployments);
    expect(tickAnswers).toHaveLength(deployments);
    for (const answer of tickAnswers) {
      expect(answer).toEqual({ Directive: 'CONTINUE', Description: 'no alarm of the target is in a trigger state' });
    }
    expect(eventResults.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    const eventRecords = (await ledgerItems(dynamo)).filter((record) => record.eventId !== undefined && !/^(tick|warm)/.test(record.eventId));
    expect(eventRecords).toHaveLength(deployments * 10);
    // No event acted without its read: none was throttled away or cut short.
    const logs = eventResults.flatMap((result) => result.attempts.flatMap((attempt) => attempt.logs));
    expect(logs.some((line) => line.includes('without knowing whether the alarm\'s actions are paused'))).toBe(false);
    // One read per tick and at most one per deployment's burst of events.
    const calls = describeCalls().filter((request) => !isWarmUp(request));
    const warmUpReads = describeCalls().length - calls.length;
    expect(calls.length).toBeLessThanOrEqual(2 * deployments);
    expect(throttled()).toEqual([]);
    const perSecond = new Map<number, number>();
    for (const call of calls) {
      const second = Math.floor(call.serviceTime / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    // The local CloudWatch throttles past 9 a second (a token bucket one
    // second deep), and none was throttled: the load stayed inside the quota.
    // The busiest calendar second is printed as a figure, not asserted: a
    // bucket lets a second's refill follow a full bucket.
    const busiest = Math.max(...perSecond.values());
    console.log(`DescribeAlarms: ${calls.length} calls in the minute for ${deployments} ticks and ${deployments * 10} events `
      + `(and ${warmUpReads} warm-up reads before it); busiest service second ${busiest}; throttled ${throttled().length}`);
  }, 120_000);

  it('retries a throttled read inside the tick\'s answer budget', async () => {
    await startServices(1);
    const check = HandlerInstance.start({ entry: ALARM_STATE_ENTRY, env: env() });
    checks = [check];
    // Someone else in the account has spent this second's quota.
    await check.invoke(tick(0, 'warm0001'));
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'throttle', times: 2 });

    const answer = await check.invoke(tick(0, 'tick0001'));

    expect(answer.result).toMatchObject({ Directive: 'ROLL_BACK' });
    const attempts = describeCalls().slice(1);
    expect(attempts.map((request) => request.error ?? request.status)).toEqual(['Throttling', 'Throttling', 200]);
    // Inside the tick's answer budget, with the CloudWatch client's short backoff between attempts.
    expect(answer.durationMs).toBeLessThan(3_000);
  });
});
