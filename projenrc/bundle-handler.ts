import { readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { build } from 'esbuild';
import { ASSET_TRIMS, COMMON_BUILD_OPTIONS, ESM_BUILD_OPTIONS } from './handler-bundle';

// `npx projen bundle:handler`: the handler asset. It ships as
// ES modules split per service: the AppConfig, Proton and SNS clients sit in
// chunks that load only when an event needs them. Lambda's Node.js runtime
// resolves `index.handler` to index.mjs, `alarm-state.handler` to
// alarm-state.mjs, and `bake-gate.onEvent` / `bake-gate.isComplete` to
// bake-gate.mjs.
const OUT_DIR = 'assets/lambda/rollback.lambda';

// No `require` banner: every bundled CommonJS module is linked by esbuild
// itself. A chunk that still needed Node's `require` would carry esbuild's
// "Dynamic require of" stub, and one that loaded bowser would name it; the
// check refuses both.
const REFUSED = /Dynamic require of|bowser/;

async function main(): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  await build({
    ...COMMON_BUILD_OPTIONS,
    ...ASSET_TRIMS,
    ...ESM_BUILD_OPTIONS,
    // The functions share the asset: the rollback handler (`index.handler`),
    // the alarm-state check AppConfig's extension calls
    // (`alarm-state.handler`) and the stack target's bake gate, whose two
    // Provider framework functions (`bake-gate.onEvent`,
    // `bake-gate.isComplete`) come from one entry. One build splits what
    // they use alike (the ledger, the records, the claims) into shared chunks.
    entryPoints: {
      'index': 'lambda/rollback/rollback.lambda.ts',
      'alarm-state': 'lambda/alarm-state/alarm-state.lambda.ts',
      'bake-gate': 'lambda/bake-gate/bake-gate.lambda.ts',
    },
    tsconfig: 'lambda/tsconfig.json',
    splitting: true,
    outdir: OUT_DIR,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  });
  const refused = files(OUT_DIR).filter((file) => REFUSED.test(readFileSync(file, 'utf8')));
  if (refused.length > 0) {
    throw new Error(`${refused.join(', ')} need Node's require or the excluded bowser module: see projenrc/handler-bundle.ts`);
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
