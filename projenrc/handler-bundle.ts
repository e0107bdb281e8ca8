import { readFile } from 'fs/promises';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * The esbuild settings of the handler asset, in one place: the bundling task
 * (projenrc/bundle-handler.ts) builds the asset from them, and `npm run
 * bench` builds its baselines from the same ones, so a size or cold-start
 * ratio never compares a minified bundle with one that is not.
 */

/**
 * The SDK's generated schema modules key operation traits by constants
 * (`{ [_h]: ["POST", "/path", 201] }`). esbuild cannot tell that a computed
 * key has no side effects, so it keeps every operation schema of a service
 * and every structure those reference, although the handler sends three
 * AppConfig operations of 56. Each such key is a `const` string of the same
 * module; writing the string in its place builds the same object, and the
 * unused schemas fall to tree shaking. (Checked on the nine schema modules
 * the asset bundles, the four clients' and the nested clients': every export
 * is the same with and without the plugin.) Only string constants are
 * substituted; any other computed key is left as it is.
 */
export const literalSchemaKeys: Plugin = {
  name: 'literal-schema-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const strings = new Map<string, string>();
      for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
        strings.set(name, literal);
      }
      // A computed key directly inside an object literal (after `{` or `,`, before `:`), named by one of those constants.
      const contents = source.replace(/([{,]\s*)\[(_\w+)\](\s*:)/g, (key, before: string, name: string, after: string) =>
        strings.has(name) ? `${before}${strings.get(name)}${after}` : key);
      return { contents, loader: 'js' };
    });
  },
};

/**
 * What every build shares, the handler asset and the benchmark's baselines:
 * the same minification, target and legal-comments setting.
 */
export const COMMON_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * What the handler asset leaves out beyond that: code no path of the handler
 * loads on Lambda. The benchmark also builds its baselines with these, to
 * show how much of the difference they make.
 */
export const ASSET_TRIMS: BuildOptions = {
  external: [
    // The SDK's browser user-agent parser: only dead code refers to it on
    // Node.js, which a single-file build drops, but a split build still emits
    // its dynamic import as a chunk that nothing loads. The bundle check
    // refuses any output that names it.
    'bowser',
    // The event-stream codec. The SDK's protocols (@smithy/core's
    // HttpBindingProtocol and RpcProtocol) import it only for an operation
    // whose input or output has an event-stream member, and none of the ten
    // operations the two functions send has one (their shapes in the
    // AppConfig, Proton, DynamoDB, SNS and CloudWatch service models). The import stays in the code,
    // behind that condition. AWS documents no promise about when the SDK
    // loads it: the handler suites, which run this bundle, would catch a
    // release that loaded it for every call.
    '@smithy/core/event-streams',
  ],
  plugins: [literalSchemaKeys],
};

/**
 * ES module output from the SDK's ES module builds (`module` before `main`),
 * which esbuild can tree-shake down to the commands a handler imports.
 */
export const ESM_BUILD_OPTIONS: BuildOptions = { format: 'esm', mainFields: ['module', 'main'] };

/**
 * CommonJS output with esbuild's default resolution for Node.js (`main`
 * first): the SDK's CommonJS builds, one file per package, as a handler
 * bundled for CommonJS ships them.
 */
export const CJS_BUILD_OPTIONS: BuildOptions = { format: 'cjs' };

/** The options in a line, for the benchmark's report. */
export function describeBuild(options: BuildOptions): string {
  return Object.entries(options)
    .filter(([name]) => name !== 'logLevel')
    .map(([name, value]) => {
      if (name === 'plugins') {
        return `plugins: ${(value as Plugin[]).map((plugin) => plugin.name).join(', ')}`;
      }
      return value === true ? name : `${name}: ${Array.isArray(value) ? value.join(',') : String(value)}`;
    })
    .join(', ');
}
