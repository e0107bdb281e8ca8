import { spawnSync } from 'child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { synthesizeTestApp, watchedAlarm } from './support';
import { alarmStateChange, Simulation, SimulationReport } from '../../local/simulate';

// The built command, as `npx cdk-alarm-rollback` runs it from the cdk-alarm-rollback-cli package.
const CLI = join(__dirname, '..', '..', 'packages', 'cli', 'bin', 'cdk-alarm-rollback.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

let assembly: string;
let files: string;

beforeAll(async () => {
  assembly = synthesizeTestApp();
  files = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
  // The alarm ARN as the synthesized rules watch it.
  const simulation = await Simulation.start({ assembly });
  const errors = watchedAlarm(simulation, ':shop-errors');
  await simulation.close();
  const event = alarmStateChange({ alarmArn: errors });
  writeFileSync(join(files, 'alarm.json'), JSON.stringify(event));
  writeFileSync(join(files, 'flap.json'), JSON.stringify([alarmStateChange({ alarmArn: errors, state: 'OK' }), event]));
  writeFileSync(join(files, 'state.json'), JSON.stringify({
    appConfig: { deployments: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'shop-linear', startedMinutesAgo: 3 }] },
  }));
});

describe('cdk-alarm-rollback simulate', () => {
  it('prints a JSON report of the rules, the deliveries, the final state and the ledger', () => {
    const result = run('simulate', '--assembly', assembly, '--state', join(files, 'state.json'),
      '--event', join(files, 'alarm.json'), '--event', join(files, 'flap.json'), '--json');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as SimulationReport;
    expect([...new Set(report.rules.map((rule) => rule.target))]).toEqual(['Shop/Rollback/Config', 'Shop/Rollback/Env']);
    expect(report.events.map((event) => event.deliveries.map((delivery) => delivery.outcome))).toEqual([['ROLLED_BACK'], [], ['DUPLICATE']]);
    expect(report.events[0].deliveries[0].calls.map((call) => call.operation)).toEqual(['ListDeployments', 'StopDeployment']);
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'ROLLED_BACK' })]);
    expect(report.ledger.map((record) => record.outcome)).toEqual(['ROLLED_BACK', 'DUPLICATE']);
  });

  it('prints a timeline by default', () => {
    const result = run('simulate', '--assembly', assembly, '--state', join(files, 'state.json'), '--event', join(files, 'alarm.json'));

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('AppConfig ListDeployments 200, AppConfig StopDeployment 202');
    expect(result.stdout).toContain('outcome ROLLED_BACK');
  });

  it.each([
    [['simulate', '--assembly', '/nonexistent/cdk.out', '--event', 'x.json'], /no cloud assembly at \/nonexistent\/cdk.out: run `cdk synth`/],
    [['simulate', '--assembly', '.', '--event', 'x.json', '--frobnicate'], /Unknown option '--frobnicate'.*usage: cdk-alarm-rollback simulate/],
    [['simulate', '--event', 'x.json'], /simulate needs --assembly/],
    [['simulate', '--assembly', '.', '--event', 'x.json', '--run-minutes', 'ten'], /--run-minutes must be a number of minutes from 0 to 1440, got "ten"/],
  ])('reports bad input %j in one line with exit code 1', (args, message) => {
    const result = run(...args);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('names the file and the fix for an invalid state or event file', () => {
    writeFileSync(join(files, 'bad-state.json'), JSON.stringify({ appConfig: { deployments: [{ application: 'shop' }] } }));
    writeFileSync(join(files, 'broken.json'), '{ not json');
    const badState = run('simulate', '--assembly', assembly, '--state', join(files, 'bad-state.json'), '--event', join(files, 'alarm.json'));
    const badEvent = run('simulate', '--assembly', assembly, '--event', join(files, 'broken.json'));

    expect(badState.status).toBe(1);
    expect(badState.stderr).toMatch(/appConfig.deployments\[0\].environment must be a non-empty string/);
    expect(badEvent.status).toBe(1);
    expect(badEvent.stderr).toMatch(/the event file at .*broken.json is not valid JSON/);
    expect(`${badState.stderr}${badEvent.stderr}`.trim().split('\n')).toHaveLength(2);
  });

  it('runs the state file\'s starts and the ticks of running deployments with no event file', () => {
    writeFileSync(join(files, 'start-while-alarming.json'), JSON.stringify({
      appConfig: { starts: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'shop-linear' }] },
      cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'ALARM' }] },
    }));

    const result = run('simulate', '--assembly', assembly, '--state', join(files, 'start-while-alarming.json'), '--run-minutes', '2', '--json');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as SimulationReport;
    expect(report.events).toEqual([]);
    expect(report.starts).toEqual([expect.objectContaining({ deploymentNumber: 1 })]);
    // The start runs no check (no target blocks starts); its first tick rolls it back.
    expect(report.checks.map((check) => [check.actionPoint, check.decision])).toEqual([['AT_DEPLOYMENT_TICK', 'ROLL_BACK']]);
    expect(report.finalState.appConfig[0].deployments).toEqual([expect.objectContaining({ number: 1, state: 'ROLLED_BACK' })]);
  });

  it('refuses a misspelt key in a state or event file with its path and the closest known key, in one line', () => {
    writeFileSync(join(files, 'misspelt-state.json'), JSON.stringify({
      appConfig: { deployment: [{ application: 'shop', environment: 'prod', startedMinutesAgo: 3 }] },
    }));
    writeFileSync(join(files, 'misspelt-event.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(files, 'alarm.json'), 'utf8')), resource: [] }));

    const badState = run('simulate', '--assembly', assembly, '--state', join(files, 'misspelt-state.json'), '--event', join(files, 'alarm.json'));
    const badEvent = run('simulate', '--assembly', assembly, '--event', join(files, 'misspelt-event.json'));

    expect(badState.status).toBe(1);
    expect(badState.stdout).toBe('');
    expect(badState.stderr).toMatch(/misspelt-state\.json: "appConfig\.deployment" is not a known key \(did you mean "appConfig\.deployments"\?\)/);
    expect(badEvent.status).toBe(1);
    expect(badEvent.stderr).toMatch(/misspelt-event\.json: "resource" is not a known key \(did you mean "resources"\?\)/);
    expect(`${badState.stderr}${badEvent.stderr}`.trim().split('\n')).toHaveLength(2);
  });

  it('refuses an assembly without the library\'s rules', () => {
    const empty = mkdtempSync(join(tmpdir(), 'simulate-empty-'));
    writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ version: '53.0.0', artifacts: {} }));

    const result = run('simulate', '--assembly', empty, '--event', join(files, 'alarm.json'));

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/has no AlarmRollback rules .*AlarmRollback.addTarget/);
  });
});

describe('the cdk-alarm-rollback-cli package', () => {
  const root = join(__dirname, '..', '..');
  const manifest = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

  it('runs the bundle these tests run as its cdk-alarm-rollback command', () => {
    const cli = manifest('packages/cli/package.json');

    expect(join(root, 'packages', 'cli', cli.bin['cdk-alarm-rollback'])).toBe(CLI);
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
    expect(run('simulate', '--help').stdout).toMatch(/^usage: cdk-alarm-rollback simulate/);
  });

  it('depends on the dynalite the tests run, which the bundle leaves out', () => {
    expect(manifest('packages/cli/package.json').dependencies).toEqual({ dynalite: manifest('package.json').devDependencies.dynalite });
    expect(readFileSync(CLI, 'utf8')).toContain('require("dynalite")');
  });

  it('names the package to install when dynalite cannot be found beside the bundle', () => {
    // A copy of the bundle with no node_modules above it, as a partial install leaves it.
    const alone = join(mkdtempSync(join(tmpdir(), 'cli-without-dynalite-')), 'cdk-alarm-rollback.js');
    copyFileSync(CLI, alone);
    const result = spawnSync(process.execPath, [alone, 'simulate', '--assembly', assembly], { encoding: 'utf8', timeout: 30_000 });

    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/simulate needs dynalite, which cdk-alarm-rollback-cli depends on: npm install --save-dev cdk-alarm-rollback-cli/);
  });

  it('is the only package with a command: the construct package declares none', () => {
    expect(manifest('package.json').bin).toBeUndefined();
  });
});
