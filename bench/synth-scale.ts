import { performance } from 'perf_hooks';
import { Figure, ms, printTable } from './report-table';
import { platformStack, synthesize } from '../test/constructs/platform-stack';
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
}
