import { readdirSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { build, BuildOptions } from 'esbuild';
import { ASSET_TRIMS, CJS_BUILD_OPTIONS, COMMON_BUILD_OPTIONS, describeBuild, ESM_BUILD_OPTIONS } from '../projenrc/handler-bundle';

export const HANDLER_ASSET = join(__dirname, '..', 'assets', 'lambda', 'rollback.lambda');
const BASELINE_OUT = join(__dirname, 'out');

/** A bundle of the baseline handler. */
export interface Baseline {
  readonly label: string;
  /** Its esbuild options, for the report. */
  readonly build: string;
  readonly file: string;
}

export interface Baselines {
  /** One CommonJS file, from the SDK's CommonJS builds: the size and cold-start goals' measure. */
  readonly cjs: Baseline;
  /** One ES module file, tree-shaken from the SDK's ES module builds. */
  readonly esm: Baseline;
  /** The same two with the asset's trims as well (externals, schema keys): how much of the difference those make. */
  readonly cjsTrimmed: Baseline;
  readonly esmTrimmed: Baseline;
}

/**
 * Bundles bench/baseline-handler.ts with the handler asset's minification,
 * target and legal-comments setting (COMMON_BUILD_OPTIONS): as one CommonJS
 * file and as one ES module file, and each again with the asset's trims.
 * The baselines are single files; the asset adds only splitting.
 */
export async function buildBaselines(): Promise<Baselines> {
  const bundle = async (label: string, options: BuildOptions, outfile: string): Promise<Baseline> => {
    // No tsconfig option: an explicit one applies its alwaysStrict to the
    // SDK's files too, and a single-file build then puts "use strict" in
    // every lazily initialised module (6 KB more baseline, none of it code).
    await build({ ...options, entryPoints: [join(__dirname, 'baseline-handler.ts')], outfile });
    return { label, build: describeBuild(options), file: outfile };
  };
  const [cjs, esm, cjsTrimmed, esmTrimmed] = await Promise.all([
    bundle('CommonJS baseline', { ...COMMON_BUILD_OPTIONS, ...CJS_BUILD_OPTIONS }, join(BASELINE_OUT, 'baseline-cjs', 'index.js')),
    bundle('ES module baseline', { ...COMMON_BUILD_OPTIONS, ...ESM_BUILD_OPTIONS }, join(BASELINE_OUT, 'baseline-esm', 'index.mjs')),
    bundle('CommonJS baseline, trimmed', { ...COMMON_BUILD_OPTIONS, ...ASSET_TRIMS, ...CJS_BUILD_OPTIONS }, join(BASELINE_OUT, 'baseline-cjs-trimmed', 'index.js')),
    bundle('ES module baseline, trimmed', { ...COMMON_BUILD_OPTIONS, ...ASSET_TRIMS, ...ESM_BUILD_OPTIONS }, join(BASELINE_OUT, 'baseline-esm-trimmed', 'index.mjs')),
  ]);
  return { cjs, esm, cjsTrimmed, esmTrimmed };
}

/** Bytes of every file under a folder: all chunks of a split bundle count. */
export function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(path) : statSync(path).size);
  }, 0);
}

/**
 * The files the first AppConfig event loads: the entry (with the ledger
 * client and the record path), the AppConfig runner, the AppConfig client and
 * the CloudWatch client (the alarm's actions switch is read beside the
 * deployment), each with the chunks it imports statically. Chunks behind a
 * dynamic import that this event does not reach (Proton, SNS, the SDK's other
 * credential sources) are left out, as Node.js leaves them unloaded.
 */
export function firstAppConfigEventFiles(handlerDir: string): { roots: string[]; files: string[] } {
  return loadedFiles(handlerDir, 'index.mjs', ['appconfig-runner-', 'cloudwatch-client-', 'appconfig-client-']);
}

/**
 * The files the alarm-state check's first tick loads: its entry (with the
 * ledger client, the claims and the record path) and the CloudWatch client.
 */
export function firstTickFiles(handlerDir: string): { roots: string[]; files: string[] } {
  return loadedFiles(handlerDir, 'alarm-state.mjs', ['cloudwatch-client-']);
}

function loadedFiles(handlerDir: string, entry: string, chunkPrefixes: string[]): { roots: string[]; files: string[] } {
  const chunk = (prefix: string) => {
    const name = readdirSync(join(handlerDir, 'chunks')).find((file) => file.startsWith(prefix));
    if (!name) {
      throw new Error(`no ${prefix}* chunk in ${handlerDir}/chunks: run \`npx projen bundle\` first`);
    }
    return join(handlerDir, 'chunks', name);
  };
  const roots = [join(handlerDir, entry), ...chunkPrefixes.map(chunk)];
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) {
      return;
    }
    files.add(file);
    // Static imports only (`from"./x.mjs"`, `import"./x.mjs"`); `import("./x.mjs")` loads later, if ever.
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      visit(resolve(dirname(file), target));
    }
  };
  roots.forEach(visit);
  return { roots, files: [...files] };
}

/**
 * The files only stack targets load: the bake gate's entry, and what the
 * event path reaches only through the CloudFormation runner or client. The
 * baselines handle AppConfig and Proton, so the asset without these files is
 * the like-for-like size. Found by following every import, static and
 * dynamic, from the two other entries without entering a `cloudformation-`
 * chunk; what that leaves out is the stack targets' share.
 */
export function stackOnlyFiles(handlerDir: string): string[] {
  const all = listFiles(handlerDir);
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file) || basename(file).startsWith('cloudformation-')) {
      return;
    }
    reached.add(file);
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      visit(resolve(dirname(file), target));
    }
  };
  ['index.mjs', 'alarm-state.mjs'].forEach((entry) => visit(join(handlerDir, entry)));
  return all.filter((file) => !reached.has(file));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

export const fileBytes = (files: string[]): number => files.reduce((sum, file) => sum + statSync(file).size, 0);
