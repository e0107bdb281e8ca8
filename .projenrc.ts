import { readFileSync } from 'fs';
import { awscdk, github, javascript, JsonFile, release, TaskShell, TextFile } from 'projen';

/**
 * The Node.js releases the project is built and tested on, one place for all:
 * `.ci/run` and `tools/node` install them from the npm registry (its
 * node-<platform> packages), the GitHub workflows set them up. The build, the
 * tests and a user's synth run on 22; the bundled handler's wire tests run on
 * 24 as well, since both are Lambda runtimes a user may pick.
 */
const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' } as const;

// AWS SDK v3 clients are bundled into the handler asset, so their versions are
// ours and not the Lambda runtime's. The build runs on Node 22, so the lock
// file may take the SDK releases that need it (from the first week of 2027).
// AppConfig's and Proton's newest releases are older than the others'.
const SDK_CLIENTS = [
  '@aws-sdk/client-appconfig@^3.1124.0',
  '@aws-sdk/client-proton@^3.1029.0',
  '@aws-sdk/client-dynamodb@^3.1178.0',
  '@aws-sdk/client-sns@^3.1178.0',
  // Test-only for now: the local CloudWatch is checked against the real client.
  '@aws-sdk/client-cloudwatch@^3.1178.0',
];


const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-alarm-rollback',
  description: 'Stops AWS AppConfig deployments and cancels AWS Proton environment deployments when a CloudWatch alarm enters ALARM, and records every decision.',
  keywords: ['cdk', 'awscdk', 'appconfig', 'proton', 'cloudwatch', 'alarm', 'rollback', 'eventbridge'],
  author: 'cdk-alarm-rollback maintainers',
  authorAddress: 'maintainers@cdk-alarm-rollback.dev',
  repositoryUrl: 'https://github.com/cdk-alarm-rollback/cdk-alarm-rollback.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The peer range's minimum, and the dev copy the tests build with. The dev
  // copy stays at 2.257.0 although aws-cdk-lib 2.278.0 is out: the newest
  // integ-runner (2.197.10, which bundles its own toolkit) reads cloud
  // assembly schema up to 53, which 2.257.0 writes and every release from
  // 2.258.0 on does not (54, then 55), so `integ:check` could not read the
  // integration tests' apps. The quick-start check in `.ci/run` synthesizes
  // a user's app with the newest aws-cdk-lib and aws-cdk CLI instead.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.16',
  typescriptVersion: '~5.9.3',
  // Also sets @types/node to the 22 line; `engines` is widened to 24 below.
  minNodeVersion: '22.12.0',

  // `.ci/run` is the check that runs here; the GitHub workflows projen
  // generates (build on every pull request, release by hand from main) run the same
  // build and then package and publish each language below.
  github: true,
  release: true,
  // Releases are cut by hand (Actions, "release", Run workflow) from a green main.
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  depsUpgrade: false,
  pullRequestTemplate: false,
  buildWorkflow: true,
  buildWorkflowOptions: {
    // A build that changes generated files fails, as `.ci/run` does, rather
    // than pushing a commit back to the pull request.
    mutableBuild: false,
  },
  githubOptions: { mergify: false },
  workflowNodeVersion: NODE_VERSIONS[22],

  // One name per language, all derived from `cdk-alarm-rollback` and the
  // repository's GitHub owner (io.github.cdk-alarm-rollback).
  publishToPypi: {
    distName: 'cdk-alarm-rollback',
    module: 'cdk_alarm_rollback',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdk_alarm_rollback',
    mavenGroupId: 'io.github.cdk-alarm-rollback',
    mavenArtifactId: 'cdk-alarm-rollback',
    mavenServerId: 'central-ossrh',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkAlarmRollback',
    packageId: 'CdkAlarmRollback',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-alarm-rollback/cdk-alarm-rollback-go',
    packageName: 'cdkalarmrollback',
  },

  lambdaAutoDiscover: false,

  devDeps: [
    ...SDK_CLIENTS,
    // Types only: the middleware that holds a signed request until its turn.
    '@smithy/types',
    // The CloudWatch client's retry strategy (lambda/shared/cloudwatch/cloudwatch-client.ts),
    // at the release the SDK clients above share.
    '@smithy/core@^3.41.1',
    '@types/aws-lambda',
    'esbuild',
    'aws-sdk-client-mock',
    'aws-sdk-client-mock-jest',
    'cdk-nag',
    'dynalite',
    'fast-check',
    // The command line only (bundled into packages/cli, never into the handler):
    // `history` finds a stack's ledger through CloudFormation and reads records
    // through util-dynamodb's unmarshalling, which simulate uses too. Same
    // release line as the clients above, so they share one @smithy/core.
    '@aws-sdk/client-cloudformation@^3.1178.0',
    '@aws-sdk/util-dynamodb@^3.996.9',
    // test/integ.*.ts: the newest integ-tests-alpha (its peer range takes
    // aws-cdk-lib 2.245 or newer) and the newest integ-runner.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
  ],

  // Tests run through ts-jest as CommonJS, where the handler's lazy import()s become require()s.
  tsconfigDev: {
    compilerOptions: {
      module: 'CommonJS',
      moduleResolution: javascript.TypeScriptModuleResolution.NODE,
    },
  },

  jestOptions: {
    // Snapshots are written on purpose (`npx projen test -u`), never by CI.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      // What a test run needs from its environment is set here, not in the
      // test task only, so a plain `npx jest` runs the same as `npx projen test`.
      setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
    },
  },

  gitignore: [
    'cdk.out/', '*.local.json', '/bench/out/',
    // integ-runner compares templates, not assets: the copies of the handler
    // bundle and of the assertion provider would churn with every handler edit.
    '/test/integ.*.snapshot/asset.*',
  ],
});

// unrs-resolver (jest's and the ESLint import plugin's module resolver) 1.13.0
// is published without its prebuilt bindings for most platforms on the
// registry these machines reach, so npm cannot list them in the lock file and
// `npm ci` refuses it. 1.12.2 has them all and satisfies every dependent.
project.package.addPackageResolutions('unrs-resolver@1.12.2');

// The `gitignore` option above never wrote this pattern to .gitignore, so the
// snapshots' asset folders were committed once; it is added here, after the
// project's own patterns: integ-runner compares templates, not assets.
project.gitignore.exclude('/test/integ.*.snapshot/asset.*');


// The Node.js lines the tests prove: the whole build and test run on 22, a
// user's synth (the quick-start check) and the handler's wire tests on 24 too.
// cdk-alarm-rollback-cli (packages/cli) runs on the same two.
const NODE_ENGINES = '^22.12.0 || ^24.0.0';
project.package.addEngine('node', NODE_ENGINES);
new TextFile(project, '.ci/node-versions', {
  lines: Object.entries(NODE_VERSIONS).map(([major, version]) => `NODE_${major}=${version}`),
});

// The construct package ships lib/, the handler asset, README.md, API.md,
// LICENSE and .jsii; the command and its sample events ship in packages/cli
// (below). docs/ is read on the repository, where README.md links to it.
for (const ignored of ['/lambda/', '/bench/', '/local/', '/.ci/', '/tools/', '/examples/', '/packages/', '/docs/', 'cdk.out/']) {
  project.addPackageIgnore(ignored);
}

/**
 * A folder of plain TypeScript outside the jsii library (the handler, the
 * local services, benchmarks): its own tsconfig so the editor, eslint's
 * project service and esbuild all type-check it the same way.
 */
function plainTypeScriptFolder(dir: string, alsoInclude: string[] = []): void {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    // esbuild resolves these imports, so type-check them the way a bundler resolves them.
    compilerOptions: {
      rootDir: '..',
      noEmit: true,
      isolatedModules: true,
      module: 'preserve',
      moduleResolution: javascript.TypeScriptModuleResolution.BUNDLER,
    },
    include: ['**/*.ts', '../src/**/*.ts', ...alsoInclude],
    exclude: ['node_modules'],
  });
  project.eslint?.addLintPattern(dir);
  project.eslint?.allowDevDeps(`${dir}/**`);
}

plainTypeScriptFolder('lambda');
plainTypeScriptFolder('bench', ['../local/**/*.ts']);
// The README's example app and the demo, type-checked and linted; test/constructs/readme-example.test.ts
// synthesizes the one, `npm run demo` runs the other through the local services.
plainTypeScriptFolder('examples', ['../local/**/*.ts']);
// The local AWS service emulators (local/) run inside jest beside the tests,
// compiled as CommonJS like them, so they share the tests' compiler options
// rather than the bundler settings of plainTypeScriptFolder().
project.tsconfigDev.addInclude('../local/**/*.ts');
// Repository scripts (tools/check-cycles.ts, tools/service-rules.ts) run through ts-node as CommonJS
// like the tests that cover them, so they take the tests' compiler options.
project.tsconfigDev.addInclude('../tools/**/*.ts');
new javascript.TypescriptConfig(project, {
  fileName: 'tools/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
  include: ['**/*.ts'],
  exclude: ['node_modules'],
});
project.eslint?.addLintPattern('tools');
project.eslint?.allowDevDeps('tools/**');
new javascript.TypescriptConfig(project, {
  fileName: 'local/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
  include: ['**/*.ts'],
  exclude: ['node_modules'],
});
project.eslint?.addLintPattern('local');
project.eslint?.allowDevDeps('local/**');

// The handler bundle inlines whatever lambda/ imports, so construct code must
// never reach it: lambda/ reads src/ only through src/contract/ (which holds
// the public enums the handler names, such as RollbackOutcome), and the
// contract itself imports no CDK and nothing of src/ outside it.
//
// Inside lambda/ the arrows point one way (docs/layout.md): the entries
// (rollback/, alarm-state/) use targets/ and shared/; targets/ uses shared/;
// shared/, the AWS-call layer, uses no feature folder.
const HANDLER_FEATURES = ['./lambda/rollback', './lambda/alarm-state', './lambda/bake-gate', './lambda/targets'];
/** The handler's entries (each an entry point of the bundle) and its target kinds. */
const HANDLER_ENTRIES = ['rollback', 'alarm-state', 'bake-gate'];
const TARGET_KINDS = ['appconfig', 'proton-environment', 'cloudformation-stack'];
const ONE_KIND_ALONE = 'One target kind never imports another: share through lambda/targets/target-runner.ts or lambda/shared/';
project.eslint?.addOverride({
  files: ['lambda/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', {
      zones: [
        {
          target: './lambda',
          from: './src',
          except: ['./contract'],
          message: 'The handler imports nothing from src/ but src/contract/; add what it needs there (without aws-cdk-lib)',
        },
        {
          target: './lambda/shared',
          from: HANDLER_FEATURES,
          message: 'lambda/shared/ is the AWS-call layer every feature uses, so it imports no feature folder: move what both need into lambda/shared/',
        },
        {
          target: './lambda/targets',
          from: ['./lambda/rollback', './lambda/alarm-state', './lambda/bake-gate'],
          message: 'A target runner serves the entries and imports none of them: move what both need into lambda/shared/',
        },
        ...TARGET_KINDS.map((kind) => ({
          target: `./lambda/targets/${kind}`,
          from: TARGET_KINDS.filter((other) => other !== kind).map((other) => `./lambda/targets/${other}`),
          message: ONE_KIND_ALONE,
        })),
        ...HANDLER_ENTRIES.map((entry) => ({
          target: `./lambda/${entry}`,
          from: HANDLER_ENTRIES.filter((other) => other !== entry).map((other) => `./lambda/${other}`),
          message: 'The entries share through lambda/shared/ and lambda/targets/ only',
        })),
      ],
    }],
  },
});

// No import cycle anywhere in the sources: the lint rule names the import
// that closes one as it is written, and `npx projen check:cycles` (in
// `.ci/run`) prints the whole path of any cycle in src/, lambda/, local/ and
// packages/, counting type-only and lazy imports too.
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });
project.eslint?.addOverride({
  files: ['src/contract/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', {
      zones: [{
        target: './src/contract',
        from: './src',
        except: ['./contract'],
        message: 'The contract is bundled into the handler; it imports nothing of src/ outside src/contract/',
      }],
    }],
    'no-restricted-imports': ['error', {
      patterns: [{
        group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
        message: 'The contract is bundled into the handler; keep CDK types out of it and in the construct files',
      }],
    }],
  },
});

/** Runs a TypeScript script of the repository without a build step. */
const runScript = (file: string) => `ts-node --transpile-only --project test/tsconfig.json ${file}`;

const checkCycles = project.addTask('check:cycles', {
  description: 'Fail on any import cycle in src/, lambda/, local/ and packages/, printing its path',
  exec: runScript('tools/check-cycles.ts'),
});

project.addTask('bench', {
  description: 'Measure the handler and the construct against their baselines and print the figures',
  steps: [{ spawn: 'bundle' }, { exec: runScript('bench/run-benchmarks.ts') }],
});

// The local services' request rules come from AWS's service models as botocore
// (the AWS CLI's model library) carries them; regenerate after a botocore upgrade.
project.addTask('service-rules', {
  description: 'Write local/models/<service>.rules.json from the installed botocore models of the operations the local services serve',
  steps: [{ exec: runScript('tools/service-rules.ts') }],
});

project.addTask('reliability', {
  description: 'Run the bundled handler through faults and alarm storms, print one line per suite, fail on a lost event or a second stop',
  steps: [
    { spawn: 'bundle' },
    { exec: 'rm -rf test-reports/reliability' },
    // The suites mostly wait on timeouts and retries, so they run side by side even on 2 cores.
    { exec: 'jest test/reliability --coverage=false --ci --maxWorkers=4' },
    { exec: runScript('test/reliability/print-report.ts') },
  ],
});

// The handler asset (both functions' entries, one folder) is built by
// projenrc/bundle-handler.ts with the esbuild settings of
// projenrc/handler-bundle.ts, where the benchmark's baselines take theirs
// from: split ES modules, the SDK bundled and trimmed to what the handler
// loads (the runtime's copy would have a say over our client versions), and a
// check that no chunk needs what the asset leaves out. The functions
// themselves are written by hand (src/private/rollback-function.ts) so that
// the user's runtime and architecture reach them.
const bundleHandler = project.addTask('bundle:handler', {
  description: 'Bundle the handler asset (lambda/rollback/rollback.lambda.ts and lambda/alarm-state/alarm-state.lambda.ts) into assets/lambda/rollback.lambda',
  exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/bundle-handler.ts',
});
project.bundler.bundleTask.spawn(bundleHandler);

// `simulate`, `event` and `history` ship in a package of their own,
// cdk-alarm-rollback-cli (packages/cli), which a user installs when they want
// it: the construct package, which jsii also turns into the Python, Java,
// .NET and Go packages, carries none of it. Its command, `cdk-alarm-rollback`,
// is local/cli.ts with the local services and the simulation bundled into one
// CommonJS file (local/ itself ships nowhere). dynalite stays external: it has
// a native dependency, so the package depends on it instead.
const CLI_DIR = 'packages/cli';
const CLI_NAME = 'cdk-alarm-rollback-cli';
const CLI_COMMAND = 'cdk-alarm-rollback';
const CLI_BUNDLE = `${CLI_DIR}/bin/${CLI_COMMAND}.js`;
// The range the tests run the local DynamoDB with, as the root package.json holds it.
const DYNALITE_RANGE: string = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.dynalite;
new JsonFile(project, `${CLI_DIR}/package.json`, {
  obj: {
    name: CLI_NAME,
    description: 'The cdk-alarm-rollback command: simulate a synthesized app\'s alarm rollbacks locally, print alarm events for it, read a deployed ledger.',
    // The construct's version, written at pack time by projenrc/pack-cli.sh: both packages release together.
    version: '0.0.0',
    keywords: ['cdk', 'awscdk', 'appconfig', 'cloudwatch', 'alarm', 'rollback', 'simulate'],
    author: { name: 'cdk-alarm-rollback maintainers', email: 'maintainers@cdk-alarm-rollback.dev' },
    license: 'Apache-2.0',
    repository: { type: 'git', url: 'https://github.com/cdk-alarm-rollback/cdk-alarm-rollback.git', directory: CLI_DIR },
    bin: { [CLI_COMMAND]: `bin/${CLI_COMMAND}.js` },
    // README.md, LICENSE and package.json ship anyway.
    files: ['bin/', 'samples/'],
    engines: { node: NODE_ENGINES },
    dependencies: { dynalite: DYNALITE_RANGE },
  },
});
project.gitignore.addPatterns(`/${CLI_DIR}/bin/`);

const bundleCli = project.addTask('bundle:cli', {
  description: `Bundle the ${CLI_COMMAND} command (local/cli.ts) into ${CLI_BUNDLE}`,
  steps: [
    { exec: `rm -rf ${CLI_DIR}/bin assets/cli` },
    {
      exec: [
        'esbuild --bundle local/cli.ts --platform=node --target=node22 --format=cjs --minify',
        `--tsconfig=local/tsconfig.json --external:dynalite --outfile=${CLI_BUNDLE}`,
        '--legal-comments=none --log-level=warning',
      ].join(' '),
    },
    { exec: `chmod +x ${CLI_BUNDLE}` },
  ],
});
// The tests run the bundled command, so it is built with the handler asset.
project.bundler.bundleTask.spawn(bundleCli);
// assets/cli is where the command was bundled before it moved: a clone built
// then still has it, and nothing of it may ship. (After the bundler's own
// `!/assets/`, which would otherwise drop this pattern.)
project.addPackageIgnore('/assets/cli/');
// Its tarball goes to dist/cli beside jsii's dist/js, at the root package's
// version (which projen's bump sets for the length of a release build).
const packageCli = project.addTask('package:cli', {
  description: `Pack ${CLI_NAME} (the ${CLI_COMMAND} command and the sample events) into dist/cli, at the construct package's version`,
  steps: [{ spawn: bundleCli.name }, { exec: 'projenrc/pack-cli.sh' }],
});

// jsii warns when a public name is reserved in one of the target languages;
// projen silences that warning, here every warning fails the compile.
project.compileTask.reset('jsii --fail-on-warnings');
project.tasks.tryFind('watch')?.reset('jsii -w --fail-on-warnings');

// Python, Go, Java and .NET code generation needs none of their toolchains
// (`--code-only`), so every language's bindings are generated on every check;
// Python's are byte-compiled as well, which catches a name Python cannot parse.
const pacmakCheck = project.addTask('pacmak:check', {
  description: 'Generate the Python, Go, Java and .NET bindings from .jsii into a temporary folder and byte-compile the Python',
  // mktemp, trap and the loop need a POSIX shell, not projen's built-in one.
  shell: TaskShell.system(),
  steps: [
    { exec: 'test -f .jsii || { echo "pacmak:check reads .jsii: run npx projen compile first" >&2; exit 1; }' },
    {
      exec: [
        'out=$(mktemp -d) && trap \'rm -rf "$out"\' EXIT',
        'jsii-pacmak --code-only --force-subdirectory --target python --target go --target java --target dotnet --outdir "$out"',
        'find "$out/python" -name "*.py" -print0 | xargs -0 python3 -m py_compile',
        'for lang in python go java dotnet; do echo "$lang: $(find "$out/$lang" -type f | wc -l) files generated"; done',
      ].join(' && '),
    },
  ],
});

// test/integ.*.ts: integ-runner synthesizes each app and compares it with its
// committed snapshot; without --update-on-failed it deploys nothing and needs
// no AWS credentials. ts-node without type checks keeps each app to seconds
// (tsc and eslint check these files with the other tests).
const INTEG_RUNNER = 'integ-runner --directory test --language typescript --app "ts-node --transpile-only --project test/tsconfig.json {filePath}"';
const integCheck = project.addTask('integ:check', {
  description: 'Synthesize test/integ.*.ts and fail if a template differs from its committed snapshot (no AWS account)',
  steps: [
    { spawn: 'bundle' },
    { exec: INTEG_RUNNER },
    // integ-runner leaves the assertion stacks out of its comparison.
    { exec: 'projenrc/check-integ-assertions.sh' },
  ],
});
project.addTask('integ:deploy', {
  description: 'Deploy test/integ.*.ts (or the ones named) to the AWS account of the current credentials in us-east-1, run their assertions, destroy them and update the snapshots',
  steps: [
    { spawn: 'bundle' },
    { exec: `${INTEG_RUNNER} --update-on-failed --force --parallel-regions us-east-1`, receiveArgs: true },
  ],
});
project.addTask('integ:update', {
  description: 'Rewrite the snapshots of test/integ.*.ts, without deploying (commit the result)',
  // --force: a change to the assertions alone passes integ-runner's own check,
  // so only rewriting every snapshot is sure to take it in.
  steps: [{ spawn: 'bundle' }, { exec: `${INTEG_RUNNER} --update-on-failed --dry-run --force` }],
});

// cfn-lint, AWS's CloudFormation linter, over every template the repository
// deploys or measures: the integration snapshots (among them a user's app
// with a stack target and a bake: the AlarmRollback's stack with the shared
// bake gate provider, and the guarded stack with its gate), and the scale
// and quota cases that test/constructs/platform-stack.ts writes while the
// tests run.
// Warnings fail like errors, except two ignored by id, each for its reason:
// - W3005 (a DependsOn that a GetAtt already enforces): aws-cdk-lib writes it
//   on every function's service role and custom resource's role; it is
//   redundant, not wrong, and not ours to remove.
// - W3696 (a resource type of a service AWS shut down on 2026-10-07): only in
//   the deprecated Proton target's integration test, which keeps deploying a
//   Proton environment template for as long as that target exists.
const CFN_LINT_TEMPLATE_DIR = 'test-reports/cfn-templates';
project.testTask.env('CFN_LINT_TEMPLATE_DIR', CFN_LINT_TEMPLATE_DIR);
project.testTask.prependExec(`rm -rf ${CFN_LINT_TEMPLATE_DIR}`);
const cfnLint = project.addTask('cfn-lint', {
  description: 'Lint the integration snapshots and the templates the quota tests synthesized with cfn-lint (run the tests first)',
  shell: TaskShell.system(),
  steps: [
    { exec: 'command -v cfn-lint >/dev/null || { echo "cfn-lint is not installed: pip install cfn-lint (the build machines have it)" >&2; exit 1; }' },
    { exec: `ls ${CFN_LINT_TEMPLATE_DIR}/*.template.json >/dev/null 2>&1 || { echo "no templates in ${CFN_LINT_TEMPLATE_DIR}: run npx projen test first" >&2; exit 1; }` },
    { exec: 'cfn-lint --version' },
    { exec: `cfn-lint --ignore-checks W3005 -- test/integ.appconfig.ts.snapshot/*.template.json test/integ.cloudformation-stack.ts.snapshot/*.template.json ${CFN_LINT_TEMPLATE_DIR}/*.template.json` },
    { exec: 'cfn-lint --ignore-checks W3005 W3696 -- test/integ.proton.ts.snapshot/*.template.json' },
    { exec: `echo "cfn-lint: no errors or warnings in $(ls test/integ.*.snapshot/*.template.json ${CFN_LINT_TEMPLATE_DIR}/*.template.json | wc -l) templates"` },
  ],
});

// The bundled handler's and the alarm-state check's wire tests alone: `.ci/run`
// runs them again on Node 24 (after the whole build on 22), since both are
// Lambda runtimes a user may pick.
const testWire = project.addTask('test:wire', {
  description: 'Bundle the handler and run its wire tests (the asset in workers against the local services) on the current Node',
  steps: [
    { spawn: 'bundle' },
    { exec: 'node --version' },
    { exec: "jest 'test/handler/.*[.]wire[.]test[.]ts$' --ci --coverage=false --reporters=default" },
  ],
});

// Outside CI projen's package task builds every language's package, which
// needs Maven, pip, dotnet and go on the machine. `npx projen build` (the
// README's test command, run on any fresh machine) packages npm only; the
// workflows build the other packages in their own jobs (package:java, ...),
// and pacmak:check covers their code generation everywhere.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.spawn(packageCli);

// projen's release publishes dist/js to npm; the command's tarball, packed by
// the same release build at the same version, is published beside it with the
// same tool (publib-npm takes the folder of tarballs to publish).
project.release?.addJobs({
  release_npm_cli: {
    name: `Publish ${CLI_NAME} to npm`,
    needs: ['release'],
    runsOn: ['ubuntu-latest'],
    permissions: { idToken: github.workflows.JobPermission.WRITE, contents: github.workflows.JobPermission.READ },
    if: "needs.release.outputs.tag_exists != 'true' && needs.release.outputs.latest_commit == github.sha",
    steps: [
      { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': NODE_VERSIONS[22], 'package-manager-cache': false } },
      {
        name: 'Download build artifacts',
        uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
        with: { 'artifact-ids': '${{ needs.release.outputs.artifact_id }}', 'path': 'dist' },
      },
      {
        name: 'Release',
        env: {
          NPM_DIST_TAG: 'latest',
          NPM_REGISTRY: 'registry.npmjs.org',
          NPM_CONFIG_PROVENANCE: 'true',
          NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
          PUBLIB_DRYRUN: '${{ inputs.dry_run }}',
        },
        run: 'npx -p publib@latest publib-npm dist/cli',
      },
    ],
  },
});

// The GitHub build runs what `.ci/run` runs after the build.
project.buildWorkflow?.addPostBuildSteps(
  { name: 'Check the import graph for cycles', run: `npx projen ${checkCycles.name}` },
  { name: 'Generate every language binding', run: `npx projen ${pacmakCheck.name}` },
  { name: 'Compare integration test snapshots', run: `npx projen ${integCheck.name}` },
  { name: 'Install cfn-lint', run: 'pip install cfn-lint' },
  { name: 'Lint templates with cfn-lint', run: `npx projen ${cfnLint.name}` },
  { name: `Install ${CLI_NAME} from its tarball and run it`, run: '.ci/cli-package.sh dist/js/cdk-alarm-rollback@*.tgz dist/cli/*.tgz' },
  { name: `Set up Node.js ${NODE_VERSIONS[24]}`, uses: 'actions/setup-node@v7.0.0', with: { 'node-version': NODE_VERSIONS[24] } },
  { name: `Wire tests of the handler on Node.js ${NODE_VERSIONS[24]}`, run: `npx projen ${testWire.name}` },
);

project.addTask('demo', {
  description: 'Synthesize the example app and watch its alarms roll back AppConfig deployments and a baked CloudFormation stack update (and cancel a Proton update, a deprecated target), locally',
  steps: [{ spawn: 'bundle' }, { exec: runScript('examples/demo.ts') }],
});

project.synth();
