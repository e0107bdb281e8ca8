/**
 * The esbuild settings of the handler asset, in one place: the bundling task
 * in .projenrc.ts builds the asset from them, and `npm run bench` builds its
 * baselines from the same ones, so a size or cold-start ratio compares code
 * with code and never one minifier setting with another.
 */

/** What every build shares: handler asset, ES module baseline and CommonJS baseline. */
export const SHARED_BUNDLE_FLAGS = [
  '--bundle',
  '--platform=node',
  '--target=node22',
  '--minify',
  '--legal-comments=none',
  '--log-level=warning',
  // The SDK's browser user-agent parser: only dead code refers to it on
  // Node.js, which a single-file build drops, but a split build still emits
  // its dynamic import as a chunk of its own that nothing ever loads. Marked
  // external, it is not shipped; the bundle task checks that no output
  // refers to it.
  '--external:bowser',
];

/**
 * ES module output from the SDK's ES module builds (`module` before `main`),
 * which esbuild can tree-shake down to the commands a handler imports.
 */
export const ESM_BUNDLE_FLAGS = ['--format=esm', '--main-fields=module,main'];

/**
 * CommonJS output with esbuild's default resolution for Node.js (`main`
 * first): the SDK's CommonJS builds, one file per package, as a handler
 * bundled for CommonJS ships them.
 */
export const CJS_BUNDLE_FLAGS = ['--format=cjs'];

/** The handler ships split: chunks that only some events load stay unloaded until then. */
export function handlerBundleCommand(entry: string, outdir: string, tsconfig: string): string {
  return [
    `esbuild ${entry}`,
    ...SHARED_BUNDLE_FLAGS,
    ...ESM_BUNDLE_FLAGS,
    '--splitting',
    `--tsconfig=${tsconfig}`,
    `--outdir=${outdir}`,
    '--entry-names=index',
    '--chunk-names=chunks/[name]-[hash]',
    '--out-extension:.js=.mjs',
  ].join(' ');
}
