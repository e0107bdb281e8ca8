import { performance } from 'perf_hooks';
import { Figure, ms, printTable } from './report-table';
import { Template } from '../local/simulate/intrinsics';
import { platformStack, PlatformStackOptions, synthesize } from '../test/constructs/platform-stack';
import { measureQuotas, QuotaUsage } from '../test/constructs/quota-usage';

export interface SynthFigure {
  readonly targets: number;
  readonly synthMs: number;
  readonly resources: number;
  /** Every quota the deployed stack is subject to, measured on its resolved template. */
  readonly quotas: QuotaUsage[];
}

/**
 * Synthesizes the quota test's platform stack with `targets` AppConfig
 * targets of two alarms each (one created in the app, one imported with a
 * 255-character name; an application per target; the aws-us-gov partition),
 * and measures it against every quota on its resolved template.
 */
export function synthScale(targets: number): SynthFigure {
  const started = performance.now();
  const { app, stack } = platformStack({ targets, alarmsPerTarget: 2 });
  const { template, environment } = synthesize(app, stack);
  const synthMs = performance.now() - started;
  return {
    targets,
    synthMs,
    resources: Object.keys(template.Resources ?? {}).length,
    quotas: measureQuotas(template, environment),
  };
}

/**
 * Prints, for each quota, what the platform stack uses of it at 1, 10, 100
 * and 150 targets beside the quota, and the synth time (with the alarm-state
 * checks, an extension association per target: 200 would pass 500 resources).
 */
export function printSynthScale(): void {
  synthScale(1); // loads aws-cdk-lib once, so the first figure is not the module load
  const scale = [1, 10, 100, 150].map(synthScale);
  const [one] = scale;
  const last = scale[scale.length - 1];
  const figures: Figure[] = last.quotas.map((usage, index) => ({
    name: usage.quota,
    ours: scale.map((figure) => figure.quotas[index].used.toLocaleString('en-US')).join(' / '),
    baseline: usage.limit.toLocaleString('en-US'),
    ratio: usage.used / usage.limit,
    goal: '<= quota',
    met: scale.every((figure) => figure.quotas[index].used <= figure.quotas[index].limit),
  }));
  const msPerTarget = (figure: SynthFigure) => (figure.synthMs - one.synthMs) / Math.max(1, figure.targets - one.targets);
  figures.push(
    { name: 'synth ms', ours: scale.map((figure) => ms(figure.synthMs)).join(' / '), baseline: '', goal: '' },
    {
      name: 'synth ms per added target at 10 / 100 / 150',
      ours: scale.slice(1).map((figure) => ms(msPerTarget(figure))).join(' / '),
      baseline: '',
      goal: 'linear: about constant',
    },
  );
  const counts = scale.map((figure) => figure.targets).join(' / ');
  printTable(`Synth scale: used at ${counts} targets of 2 alarms each (baseline: the quota; ratio: at ${last.targets} targets)`, figures);
  printLayouts();
}

/** What one quota of one stack of a layout uses, or why synth refused the layout. */
function layoutFigure(name: string, options: PlatformStackOptions, quota: string, monitoringStack = false): Figure {
  let figure: QuotaUsage | undefined;
  try {
    const { app, stack, monitoring } = platformStack(options);
    const { template, environment, exports } = synthesize(app, stack, monitoring);
    figure = monitoringStack
      ? measureQuotas(app.synth().getStackByName(monitoring!.stackName).template as Template, { ...environment, stackName: monitoring!.stackName })
        .find((usage) => usage.quota === quota)
      : measureQuotas(template, environment, exports).find((usage) => usage.quota === quota);
  } catch (error) {
    // The CDK lists validation errors after a heading, each behind the construct paths.
    const refusal = (error as Error).message.split('\n').pop()!.replace(/^\s*(\[[^\]]*\]\s*)+/, '')
      .split('; ')[0].split(', ')[0].replace(/^stack \S+ has /, '');
    return { name: `${name}: ${quota}`, ours: `refused at synth: ${refusal}`, baseline: '', goal: 'deploys, or refused at synth', met: true };
  }
  return {
    name: `${name}: ${quota}${monitoringStack ? ' (alarms\' stack)' : ''}`,
    ours: figure!.used.toLocaleString('en-US'),
    baseline: figure!.limit.toLocaleString('en-US'),
    ratio: figure!.used / figure!.limit,
    goal: '<= quota',
    met: figure!.used <= figure!.limit,
  };
}

/**
 * The headroom of the layouts the library's own errors lead to: 100 alarms
 * created in the app on one target, the 150 targets whose alarms and
 * environments are moved to a stack of their own, and 300 targets with and
 * without a dashboard.
 */
export function printLayouts(): void {
  const hundred = { targets: 1, alarmsPerTarget: 100, createdAlarmsOnly: true };
  const moved = { targets: 150, alarmsPerTarget: 2, alarmsInMonitoringStack: true, createdAlarmsOnly: true, environmentsInMonitoringStack: true };
  const wide = { targets: 300, alarmsPerTarget: 1, alarmStateChecks: false };
  printTable('Synth scale: layouts the errors suggest (baseline: the quota)', [
    layoutFigure('100 created alarms, 1 target', hundred, 'AppConfig extension parameter value characters'),
    layoutFigure('100 created alarms in a monitoring stack, 1 target', { ...hundred, alarmsInMonitoringStack: true }, 'AppConfig extension parameter value characters'),
    layoutFigure('150 targets, named alarms and environments moved', { ...moved, namedAlarms: true }, 'CloudFormation outputs per stack', true),
    layoutFigure('150 targets, named alarms and environments moved', { ...moved, namedAlarms: true }, 'CloudFormation resources per stack', true),
    layoutFigure('150 targets, named alarms and environments moved', { ...moved, namedAlarms: true }, 'CloudFormation resources per stack'),
    layoutFigure('150 targets, unnamed alarms and environments moved', moved, 'CloudFormation outputs per stack', true),
    layoutFigure('300 targets', wide, 'CloudFormation template bytes (via S3)'),
    layoutFigure('300 targets and addDashboard()', { ...wide, dashboard: true }, 'CloudFormation template bytes (via S3)'),
  ]);
}
