import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { build } from 'esbuild';

export const HANDLER_ASSET = join(__dirname, '..', 'assets', 'lambda', 'rollback.lambda');
export const BASELINE_OUT = join(__dirname, 'out', 'baseline');

/** Bundles the baseline handler as plain CommonJS, the way a hand-written function usually ships. */
export async function buildBaseline(): Promise<string> {
  const outfile = join(BASELINE_OUT, 'index.js');
  await build({
    entryPoints: [join(__dirname, 'baseline-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Bytes of every file under a folder: all chunks of a split bundle count. */
export function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(path) : statSync(path).size);
  }, 0);
}
