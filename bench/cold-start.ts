import { execFile } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { median } from './statistics';

const run = promisify(execFile);

// Measured inside the fresh process, from before the first import to after
// the last, so node's own start-up is not in the figure.
const LOADER = `
const started = process.hrtime.bigint();
(async () => {
  for (const file of JSON.parse(process.argv[1])) {
    if (file.endsWith('.mjs')) { await import(file); } else { require(file); }
  }
  process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
})();
`;

/**
 * Median module-load time over `runs` fresh Node processes. For the handler
 * that is the entry plus the AppConfig runner chunk: everything the first
 * AppConfig event loads. Runs alternate between the two bundles so machine
 * noise falls on both alike.
 */
export async function coldStarts(handlerDir: string, baselineFile: string, runs: number): Promise<{ ours: number; baseline: number }> {
  const runner = readdirSync(join(handlerDir, 'chunks')).find((name) => name.startsWith('appconfig-runner-'));
  if (!runner) {
    throw new Error(`no appconfig-runner chunk in ${handlerDir}/chunks: run \`npx projen bundle\` first`);
  }
  const ours = [join(handlerDir, 'index.mjs'), join(handlerDir, 'chunks', runner)];
  const oursTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    oursTimes.push(await loadTime(ours));
    baselineTimes.push(await loadTime([baselineFile]));
  }
  return { ours: median(oursTimes), baseline: median(baselineTimes) };
}

async function loadTime(files: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', LOADER, JSON.stringify(files)], {
    env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return Number(stdout);
}
