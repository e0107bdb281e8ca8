// `npm run bench`: every figure beside a baseline measured in the same run.
// A script that prints, never a timed test: machines differ, goals are read.
import { cpus, totalmem } from 'os';
import { Baseline, buildBaselines, fileBytes, firstAppConfigEventFiles, firstTickFiles, folderBytes, HANDLER_ASSET, stackOnlyFiles } from './bundle-size';
import { coldStarts } from './cold-start';
import { Figure, bytes, ms, printTable } from './report-table';
import { sdkCallCost } from './sdk-call-cost';
import { storm } from './storm';
import { printSynthScale } from './synth-scale';
import { tickAnswerTimes } from './tick-answer';
import { tickPath } from './tick-path';
import { warmPath } from './warm-path';

const COLD_START_RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 15);
const WARM_INVOCATIONS = Number(process.env.BENCH_WARM_INVOCATIONS ?? 30);
const LATENCY_MS = 20;
const TICK_COLD_RUNS = Number(process.env.BENCH_TICK_COLD_RUNS ?? 5);
const STORM_EVENTS = 100;
const STORM_INSTANCES = 8;
// Our critical path: ListDeployments alongside the event claim, the
// deployment claim, the alarm's DescribeAlarms alongside its mute rules
// (read only once the claim is held, to stay inside DescribeAlarms' rate),
// StopDeployment.
const OUR_ROUND_TRIPS = 4;
const OUR_SDK_CALLS = 6;
// The baseline's: ListDeployments, StopDeployment (it claims nothing).
const BASELINE_ROUND_TRIPS = 2;
const ratio = (ours: number, baseline: number) => ours / baseline;

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  const { cjs, esm, cjsTrimmed, esmTrimmed } = await buildBaselines();
  console.log('baseline handler: bench/baseline-handler.ts, a hand-written handler that builds the same five SDK clients at module load');
  for (const baseline of [cjs, esm, cjsTrimmed, esmTrimmed]) {
    console.log(`  ${baseline.label}: one file; ${baseline.build}`);
  }
  console.log(`  ours: the shipped asset (${HANDLER_ASSET.replace(/.*\/assets\//, 'assets/')}): the trimmed ES module settings, split (projenrc/handler-bundle.ts)`);
  console.log('  goals are judged against the first two; warm path and storm run the CommonJS baseline');

  const oursBytes = folderBytes(HANDLER_ASSET);
  const stackOnly = stackOnlyFiles(HANDLER_ASSET);
  // The baselines stop AppConfig deployments and cancel Proton ones: the
  // goals judge the asset without what only stack targets load, and the
  // whole asset is printed beside it, without a goal.
  const likeForLikeBytes = oursBytes - fileBytes(stackOnly);
  const firstEvent = firstAppConfigEventFiles(HANDLER_ASSET);
  const firstEventBytes = fileBytes(firstEvent.files);
  const sizeAgainst = (baseline: Baseline, goal?: number): Figure => {
    const baselineBytes = fileBytes([baseline.file]);
    return {
      name: `asset size without stack targets' ${stackOnly.length} files (bytes), vs ${baseline.label}`,
      ours: bytes(likeForLikeBytes),
      baseline: bytes(baselineBytes),
      ratio: ratio(likeForLikeBytes, baselineBytes),
      goal: goal === undefined ? '' : `<= ${Math.round(goal * 100)}%`,
      met: goal === undefined ? undefined : ratio(likeForLikeBytes, baselineBytes) <= goal,
    };
  };
  const wholeAsset = (baseline: Baseline): Figure => ({
    name: `asset size, all chunks, stack targets' included (bytes), vs ${baseline.label}`,
    ours: bytes(oursBytes),
    baseline: bytes(fileBytes([baseline.file])),
    ratio: ratio(oursBytes, fileBytes([baseline.file])),
    goal: '',
  });
  const firstTick = firstTickFiles(HANDLER_ASSET);
  const cold = await coldStarts({
    ours: { files: firstEvent.roots, buildClient: 'newAppConfigClient' },
    tick: { files: firstTick.roots, buildClient: 'newCloudWatchClient' },
    cjs: { files: [cjs.file] },
    esm: { files: [esm.file] },
  }, COLD_START_RUNS);
  const coldName = `cold start: module load, median of ${COLD_START_RUNS} processes (ms)`;
  printTable('Handler bundle', [
    sizeAgainst(cjs, 0.55),
    sizeAgainst(esm, 1),
    sizeAgainst(cjsTrimmed),
    sizeAgainst(esmTrimmed),
    wholeAsset(cjs),
    wholeAsset(esm),
    {
      name: `loaded by the first AppConfig event: ${firstEvent.files.length} files (bytes), vs ${cjs.label}`,
      ours: bytes(firstEventBytes),
      baseline: bytes(fileBytes([cjs.file])),
      ratio: ratio(firstEventBytes, fileBytes([cjs.file])),
      goal: '',
    },
    {
      name: `${coldName}, vs ${cjs.label}`,
      ours: ms(cold.ours.loadMs),
      baseline: ms(cold.cjs.loadMs),
      ratio: ratio(cold.ours.loadMs, cold.cjs.loadMs),
      goal: '<= 50%',
      met: ratio(cold.ours.loadMs, cold.cjs.loadMs) <= 0.5,
    },
    {
      name: `${coldName}, vs ${esm.label}`,
      ours: ms(cold.ours.loadMs),
      baseline: ms(cold.esm.loadMs),
      ratio: ratio(cold.ours.loadMs, cold.esm.loadMs),
      goal: '',
    },
    {
      name: 'building the AppConfig client on first use, after the load (ms)',
      ours: ms(cold.ours.buildMs),
      baseline: 'in its load',
      goal: 'ours builds 2 clients on the first event, the baselines 4 at load',
    },
  ]);

  const oursWarm = await warmPath(LATENCY_MS, WARM_INVOCATIONS, OUR_ROUND_TRIPS);
  const baselineWarm = await warmPath(LATENCY_MS, WARM_INVOCATIONS, BASELINE_ROUND_TRIPS, cjs.file);
  const callCost = await sdkCallCost(200);
  printTable(`Warm path: every call answers ${LATENCY_MS} ms late, median of ${WARM_INVOCATIONS} invocations`, [
    {
      name: 'round trips up to the stop answer',
      ours: String(oursWarm.roundTrips),
      baseline: String(baselineWarm.roundTrips),
      goal: 'minimum for one claimed stop',
    },
    { name: 'invocation to stop answered (ms)', ours: ms(oursWarm.toStopMs), baseline: ms(baselineWarm.toStopMs), ratio: ratio(oursWarm.toStopMs, baselineWarm.toStopMs), goal: '' },
    {
      name: 'that, minus round trips x latency (ms)',
      ours: ms(oursWarm.minusLatencyMs),
      baseline: ms(baselineWarm.minusLatencyMs),
      goal: '(includes the local services\' own work)',
    },
    {
      name: 'own time: no request of its own out (ms)',
      ours: ms(oursWarm.ownMs),
      baseline: ms(baselineWarm.ownMs),
      goal: '<= 5',
      met: oursWarm.ownMs <= 5,
    },
    {
      name: 'one SDK call against a server that answers at once (ms)',
      ours: ms(callCost),
      baseline: ms(callCost),
      goal: `${OUR_SDK_CALLS} on our path (2 built ahead of their turn), ${BASELINE_ROUND_TRIPS} on the baseline's`,
    },
  ]);

  // The alarm-state check beside the event path, like with like: the same
  // asset settings, the same loader, the same latency on every call.
  const tickWarm = await tickPath(LATENCY_MS, WARM_INVOCATIONS);
  const firstTickBytes = fileBytes(firstTick.files);
  printTable('Alarm-state check (alarm-state.mjs) beside the event path (index.mjs); "baseline" is the event path', [
    {
      name: `loaded by the first call: tick ${firstTick.files.length} files, event ${firstEvent.files.length} files (bytes)`,
      ours: bytes(firstTickBytes),
      baseline: bytes(firstEventBytes),
      ratio: ratio(firstTickBytes, firstEventBytes),
      goal: '',
    },
    {
      name: `${coldName}, tick vs first AppConfig event`,
      ours: ms(cold.tick.loadMs),
      baseline: ms(cold.ours.loadMs),
      ratio: ratio(cold.tick.loadMs, cold.ours.loadMs),
      goal: '',
    },
    {
      name: 'building its first client after the load: CloudWatch vs AppConfig (ms)',
      ours: ms(cold.tick.buildMs),
      baseline: ms(cold.ours.buildMs),
      goal: '',
    },
    {
      name: `firing tick to ROLL_BACK answer vs event to stop answered, ${LATENCY_MS} ms a call (ms)`,
      ours: ms(tickWarm.rollBackMs),
      baseline: ms(oursWarm.toStopMs),
      ratio: ratio(tickWarm.rollBackMs, oursWarm.toStopMs),
      goal: `event path: ${OUR_ROUND_TRIPS} round trips`,
    },
    {
      name: 'quiet tick to CONTINUE answer (ms)',
      ours: ms(tickWarm.continueMs),
      baseline: '',
      goal: `${tickWarm.continueRoundTrips} round trip`,
    },
  ]);

  // AppConfig waits for the tick's answer synchronously: its time, cold and
  // warm, with every call late and with each dependency hanging.
  const answers = await tickAnswerTimes(LATENCY_MS, TICK_COLD_RUNS);
  printTable(`Alarm-state check: tick answer time, median of ${TICK_COLD_RUNS} fresh instances (cold) and their second tick (warm); "baseline" is warm`, answers.map((answer, index) => {
    const goal = index === 0 ? 300 : 2_000;
    return {
      name: `${answer.name}: ${answer.directive} (ms)`,
      ours: ms(answer.coldMs),
      baseline: ms(answer.warmMs),
      goal: `cold <= ${goal}`,
      met: answer.coldMs <= goal,
    };
  }));

  const oursStorm = await storm(STORM_EVENTS, STORM_INSTANCES);
  const baselineStorm = await storm(STORM_EVENTS, STORM_INSTANCES, cjs.file);
  printTable(`Storm: ${STORM_EVENTS} alarm events for one deployment over ${STORM_INSTANCES} warm instances`, [
    { name: 'StopDeployment calls', ours: String(oursStorm.stopCalls), baseline: String(baselineStorm.stopCalls), goal: '1', met: oursStorm.stopCalls === 1 },
    { name: 'handler duration, median (ms)', ours: ms(oursStorm.medianMs), baseline: ms(baselineStorm.medianMs), goal: '' },
    { name: 'handler duration, p99 (ms)', ours: ms(oursStorm.p99Ms), baseline: ms(baselineStorm.p99Ms), goal: '' },
    { name: 'outcomes', ours: describe(oursStorm.outcomes), baseline: describe(baselineStorm.outcomes), goal: '' },
  ]);

  printSynthScale();
}

function describe(outcomes: Record<string, number>): string {
  return Object.entries(outcomes).sort((a, b) => b[1] - a[1]).map(([name, count]) => `${count} ${name}`).join(', ');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
