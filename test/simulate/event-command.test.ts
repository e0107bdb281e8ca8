import { execFile } from 'child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { synthesizeTestApp } from './support';
import { RollbackStack } from '../../examples/readme-quick-start';
import { main } from '../../local/cli';
import { closest, editDistance } from '../../local/commands/flags';
import { readEventFile, RELATIVE_TIME_FIELD, Simulation, SimulationReport } from '../../local/simulate';

const CLI = join(__dirname, '..', '..', 'packages', 'cli', 'bin', 'cdk-alarm-rollback.js');
const SAMPLES = join(__dirname, '..', '..', 'packages', 'cli', 'samples');
const MINUTE = 60_000;

/** The shipped command, run as `npx cdk-alarm-rollback` runs it. */
const run = (...args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
    resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
  });
});

/** The command in this process, its output captured. */
async function inProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
  return { code, stdout, stderr };
}

let assembly: string;
let files: string;

beforeAll(() => {
  assembly = synthesizeTestApp();
  files = mkdtempSync(join(tmpdir(), 'event-command-'));
});

describe('cdk-alarm-rollback event', () => {
  it('prints a state change event for an alarm named in the assembly, which simulate rolls back on', async () => {
    const printed = await inProcess('event', '--assembly', assembly, '--alarm', 'shop-errors', '--minutes-ago', '3');
    const event = JSON.parse(printed.stdout);

    expect(printed.code).toBe(0);
    expect(event).toMatchObject({
      'detail-type': 'CloudWatch Alarm State Change',
      'source': 'aws.cloudwatch',
      'account': '111111111111',
      'region': 'eu-west-1',
      'resources': ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors'],
      'detail': {
        alarmName: 'shop-errors',
        state: { value: 'ALARM' },
        previousState: { value: 'OK' },
        configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'Shop', name: 'Errors' }, period: 300 } }] },
      },
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const file = join(files, 'shop-errors.json');
    writeFileSync(file, printed.stdout);
    const simulation = await Simulation.start({
      assembly,
      state: { appConfig: { deployments: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'shop-linear', startedMinutesAgo: 5 }] } },
    });
    try {
      const [{ event: read }] = readEventFile(file, simulation.appConfig.state.now());
      const report = await simulation.deliver(read);
      expect(report.deliveries.map((delivery) => delivery.outcome)).toEqual(['ROLLED_BACK']);
    } finally {
      await simulation.close();
    }
  });

  it('writes the time relative to the run, so the file reads the same at any hour', async () => {
    const printed = await inProcess('event', '--assembly', assembly, '--alarm', 'shop-errors', '--minutes-ago', '3');
    const event = JSON.parse(printed.stdout);
    const file = join(files, 'relative-event.json');
    writeFileSync(file, printed.stdout);

    expect(event[RELATIVE_TIME_FIELD]).toBe(3);
    expect(event).not.toHaveProperty('time');
    // No absolute date anywhere in the file: the alarm's timestamps are stamped when simulate reads it.
    expect(printed.stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    for (const start of ['2026-11-20T09:42:00.000Z', '2026-11-20T09:44:00.000Z']) {
      const [{ event: read }] = readEventFile(file, Date.parse(start)) as Array<{ event: Record<string, any> }>;
      expect(Date.parse(read.time)).toBe(Date.parse(start) - 3 * MINUTE);
      expect(read.detail.state.timestamp).toBe(new Date(Date.parse(start) - 3 * MINUTE).toISOString().replace(/Z$/, '+0000'));
    }
  });

  it('writes absolute times with --absolute-time', async () => {
    const printed = await inProcess('event', '--assembly', assembly, '--alarm', 'shop-errors', '--minutes-ago', '3', '--absolute-time');
    const event = JSON.parse(printed.stdout);

    expect(printed.code).toBe(0);
    expect(event).not.toHaveProperty(RELATIVE_TIME_FIELD);
    expect(Math.abs(Date.parse(event.time) - (Date.now() - 3 * MINUTE))).toBeLessThan(MINUTE);
    expect(event.detail.state.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(JSON.parse(event.detail.state.reasonData)).toEqual(expect.objectContaining({ queryDate: expect.any(String) }));
  });

  it('gives a composite alarm its rule, and takes an ARN and another state', async () => {
    const arn = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-health';
    const printed = await inProcess('event', '--assembly', assembly, '--alarm', arn, '--state', 'ok');
    const event = JSON.parse(printed.stdout);

    expect(event.resources).toEqual([arn]);
    expect(event.detail.state.value).toBe('OK');
    expect(event.detail.previousState.value).toBe('ALARM');
    expect(event.detail.configuration.alarmRule).toMatch(/^\(ALARM\("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors"\) OR ALARM\(/);
    expect(JSON.parse(event.detail.state.reasonData)).toEqual({ triggeringAlarms: [] });
  });

  it.each([
    [['--alarm', 'shop-erors'], /no alarm of the assembly is named or has the ARN shop-erors; did you mean shop-errors\? Alarms: shop-errors, shop-health/],
    [['--alarm', 'shop-errors', '--state', 'ALRAM'], /--state "ALRAM" is not an alarm state: use ALARM, OK, INSUFFICIENT_DATA \(did you mean ALARM\?\)/],
    [['--alarm', 'shop-errors', '--minutes-ago=-2'], /--minutes-ago "-2" must be a number of zero or more/],
    [['--alarm', 'shop-errors', '--minutes-go', '2'], /Unknown option '--minutes-go'\. Did you mean --minutes-ago\?/],
    [[], /event needs --alarm/],
  ])('refuses %j with what to do, in one line', async (args, message) => {
    const result = await inProcess('event', '--assembly', assembly, ...args);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('event files', () => {
  it('take a time relative to the start and fill in the id and the alarm timestamp', () => {
    const file = join(files, 'relative.json');
    writeFileSync(file, JSON.stringify([
      { 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', [RELATIVE_TIME_FIELD]: 4, 'detail': { state: { value: 'ALARM' } } },
      { 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', [RELATIVE_TIME_FIELD]: 0, 'detail': { state: { value: 'ALARM' } } },
    ]));
    const now = Date.parse('2026-11-20T14:05:42.000Z');

    const [first, second] = readEventFile(file, now).map((entry) => entry.event as Record<string, any>);

    expect(first.time).toBe('2026-11-20T14:01:42Z');
    expect(first.detail.state.timestamp).toBe('2026-11-20T14:01:42.000+0000');
    expect(first).not.toHaveProperty(RELATIVE_TIME_FIELD);
    expect(second.time).toBe('2026-11-20T14:05:42Z');
    expect(first.id).not.toBe(second.id);
  });

  it.each([
    [{ resource: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors'] },
      /: "resource" is not a known key \(did you mean "resources"\?\); the top level has version, id, detail-type, source, account, time, timeMinutesAgo, region, resources/],
    [{ detail: { alarmName: 'shop-errors', state: { valeu: 'ALARM' } } },
      /: "detail\.state\.valeu" is not a known key \(did you mean "detail\.state\.value"\?\); detail\.state has value, reason/],
    [{ detail: { alarmName: 'shop-errors', configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'Shop', nmae: 'Errors' } } }] } } },
      /"detail\.configuration\.metrics\[0\]\.metricStat\.metric\.nmae" is not a known key \(did you mean "detail\.configuration\.metrics\[0\]\.metricStat\.metric\.name"\?\)/],
    [{ detail: { alarmName: 'shop-errors', alarmTag: { team: 'shop' } } }, /"detail\.alarmTag" is not a known key \(did you mean "detail\.alarmTags"\?\)/],
    [{ [RELATIVE_TIME_FIELD]: -1 }, /timeMinutesAgo must be a number of zero or more/],
    [{ [RELATIVE_TIME_FIELD]: 1, time: '2026-11-20T14:05:42Z' }, /gives both "time" and "timeMinutesAgo": keep one/],
  ])('refuse %j, naming the path and what to use', (fields, message) => {
    const file = join(files, 'bad-relative.json');
    writeFileSync(file, JSON.stringify({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', ...fields }));

    expect(() => readEventFile(file)).toThrow(message);
  });
});

describe('event file keys', () => {
  it('are not looked into where the names are the user\'s own: tags, dimensions, and the detail of another detail-type', () => {
    const file = join(files, 'own-names.json');
    writeFileSync(file, JSON.stringify([
      {
        'source': 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        'resources': [],
        'detail': {
          alarmName: 'shop-errors',
          alarmTags: { anyTeamKey: 'shop' },
          alarmTagsStatus: 'SUCCESS',
          state: { value: 'ALARM' },
          configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'Shop', name: 'Errors', dimensions: { AnyDimension: 'x' } } } }] },
        },
      },
      { 'source': 'my.app', 'detail-type': 'Something Else', 'detail': { whatever: { nested: true } } },
    ]));

    expect(readEventFile(file)).toHaveLength(2);
  });
});

describe('the samples the package ships', () => {
  let quickStart: string;
  let state: string;
  beforeAll(() => {
    quickStart = mkdtempSync(join(tmpdir(), 'quick-start-'));
    // The environment the quick start imports by id, with a deployment rolling out.
    state = join(files, 'quick-start-state.json');
    writeFileSync(state, JSON.stringify({
      appConfig: {
        applications: [{ id: 'abc1234', name: 'my-service', environments: [{ id: 'def5678', name: 'production' }] }],
        deployments: [{ application: 'my-service', environment: 'production', deploymentStrategy: 'AppConfig.Linear20PercentEvery6Minutes', startedMinutesAgo: 2 }],
      },
    }));
    const app = new App({ outdir: quickStart });
    new RollbackStack(app, 'QuickStart', { env: { account: '123456789012', region: 'us-east-1' } });
    app.synth();
  });

  it('are event files simulate reads', () => {
    const samples = readdirSync(SAMPLES).filter((file) => file.endsWith('.json'));

    expect(samples.sort()).toEqual(['composite-alarm.json', 'flap.json', 'metric-alarm.json', 'redelivery.json']);
    for (const sample of samples) {
      expect(readEventFile(join(SAMPLES, sample)).length).toBeGreaterThan(0);
    }
  });

  it('drive the README quick start app, and the timeline lists the alarm ARNs each rule watches first', async () => {
    const result = await run('simulate', '--assembly', quickStart, '--state', state,
      '--event', join(SAMPLES, 'metric-alarm.json'), '--event', join(SAMPLES, 'redelivery.json'), '--event', join(SAMPLES, 'composite-alarm.json'));

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    // One alarm rule per AppConfig target.
    expect(lines[0]).toBe('2 rollback rule(s):');
    expect(lines[1]).toMatch(/^ {2}QuickStart\/Rollback\/Production.* -> appconfig target QuickStart\/Rollback\/Production, watching 2 alarm\(s\):$/);
    expect(lines.slice(2, 4).map((line) => line.trim()).sort()).toEqual([
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-service-errors',
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-service-p99-latency',
    ]);
    // The metric sample matches the rule that watches it; the composite sample's alarm is not in the quick start.
    expect(result.stdout).toMatch(/#1 my-service-p99-latency OK -> ALARM .*\n {2}\+ QuickStart\/Rollback\/Production\/Rule -> AppConfig/);
    expect(result.stdout).toMatch(/#4 my-service-health OK -> ALARM .*\n {4}no rule matched: nothing was called/);
  });

  it('give outcomes to the quick start targets: a dry run that stops nothing, then a duplicate', async () => {
    const result = await run('simulate', '--assembly', quickStart, '--state', state, '--event', join(SAMPLES, 'redelivery.json'), '--json');
    const report = JSON.parse(result.stdout) as SimulationReport;

    expect(report.events.map((event) => event.deliveries.map((delivery) => delivery.outcome))).toEqual([['DRY_RUN'], ['DUPLICATE']]);
    expect(report.finalState.appConfig.find((target) => target.environmentId === 'def5678')?.deployments)
      .toEqual([expect.objectContaining({ number: 1, state: 'DEPLOYING' })]);
  });

  it('show the quick start\'s dry run at the ticks of a deployment started while an alarm fires, not as "no alarm fires"', async () => {
    const starting = join(files, 'quick-start-starts.json');
    writeFileSync(starting, JSON.stringify({
      appConfig: {
        applications: [{ id: 'abc1234', name: 'my-service', environments: [{ id: 'def5678', name: 'production' }] }],
        starts: [{ application: 'my-service', environment: 'production', deploymentStrategy: 'AppConfig.Linear20PercentEvery6Minutes' }],
      },
      cloudWatch: { alarms: [{ alarm: 'my-service-errors', state: 'ALARM' }] },
    }));

    const result = await run('simulate', '--assembly', quickStart, '--state', starting, '--run-minutes', '2');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/start on AppConfig abc1234\/def5678: deployment 1 started/);
    // The first dry-run tick is recorded (DRY_RUN, once per deployment); the next ones continue for the same reason.
    expect(result.stdout).toMatch(/tick of deployment 1 on AppConfig abc1234\/def5678 \(QuickStart\/Rollback\/Production\): DRY_RUN \(answered CONTINUE/);
    expect(result.stdout).toMatch(/\n1 tick\(s\) let the deployment continue: dry run: would have rolled back because alarm my-service-errors was in a trigger state/);
    expect(result.stdout).not.toMatch(/no alarm fires/);
    expect(result.stdout).toMatch(/abc1234\/def5678 \(QuickStart\/Rollback\/Production\): deployments #1 DEPLOYING/);
  });
});

describe('cdk-alarm-rollback', () => {
  it('names the command an unknown one is closest to', async () => {
    const result = await inProcess('histroy', '--table', 'ledger');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "histroy"; did you mean history\?/);
  });

  it.each(['simulate', 'event', 'history'])('prints the flags of %s with --help, and exits 0', async (command) => {
    const result = await inProcess(command, '--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: cdk-alarm-rollback ${command} `));
    expect(result.stdout).toMatch(/\n {2}--\w/);
  });

  it('counts a swap of two neighbouring letters as one edit, and suggests nothing far off', () => {
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('assembly', 'asembly')).toBe(1);
    expect(closest('frobnicate', ['assembly', 'state', 'event', 'json'])).toBeUndefined();
  });
});
