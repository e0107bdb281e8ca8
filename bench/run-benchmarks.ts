// `npm run bench`: every figure beside a baseline measured in the same run.
// A script that prints, never a timed test: machines differ, goals are read.
import { cpus, totalmem } from 'os';
import { buildBaseline, folderBytes, HANDLER_ASSET } from './bundle-size';
import { coldStarts } from './cold-start';
import { Figure, bytes, ms, printTable } from './report-table';

const COLD_START_RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 15);

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);

  const baselineFile = await buildBaseline();
  const oursBytes = folderBytes(HANDLER_ASSET);
  const baselineBytes = folderBytes(baselineFile.replace(/\/index\.js$/, ''));
  const cold = await coldStarts(HANDLER_ASSET, baselineFile, COLD_START_RUNS);
  const figures: Figure[] = [
    {
      name: 'handler asset (bytes, all chunks)',
      ours: bytes(oursBytes),
      baseline: bytes(baselineBytes),
      ratio: oursBytes / baselineBytes,
      goal: '<= 40%',
      met: oursBytes / baselineBytes <= 0.4,
    },
    {
      name: `cold start, median of ${COLD_START_RUNS} processes (ms)`,
      ours: ms(cold.ours),
      baseline: ms(cold.baseline),
      ratio: cold.ours / cold.baseline,
      goal: '<= 60%',
      met: cold.ours / cold.baseline <= 0.6,
    },
  ];
  printTable('Handler bundle', figures);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
