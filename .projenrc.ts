import { awscdk, javascript, release, TaskShell } from 'projen';

// AWS SDK v3 clients are bundled into the handler asset, so their versions are
// ours and not the Lambda runtime's. They are pinned to releases that still run
// on Node 20 (the build machine) as well as on the Lambda Node.js 22 runtime.
const SDK_CLIENTS = [
  '@aws-sdk/client-appconfig',
  '@aws-sdk/client-proton',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-sns',
  // Test-only for now: the local CloudWatch is checked against the real client.
  '@aws-sdk/client-cloudwatch',
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

  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.3',
  minNodeVersion: '20.16.0',

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
  workflowNodeVersion: '20.x',

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
    '@types/aws-lambda',
    'esbuild',
    'aws-sdk-client-mock',
    'aws-sdk-client-mock-jest',
    'cdk-nag',
    'dynalite',
    'fast-check',
    // The command line only (bundled into assets/cli, never into the handler):
    // `history` finds a stack's ledger through CloudFormation and reads records
    // through util-dynamodb's unmarshalling, which simulate uses too. Same
    // release line as the clients above, so they share one @smithy/core.
    '@aws-sdk/client-cloudformation@^3.1164.0',
    '@aws-sdk/util-dynamodb@^3.996.9',
    // test/integ.*.ts: the newest integ-tests-alpha (its peer range takes
    // aws-cdk-lib 2.257) and an integ-runner whose CLI reads 2.257's assembly.
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

// The build runs on Node 20 on purpose (the handler runs on Lambda's Node 22);
// the SDK's notice about its Node 22 requirement from 2027 would repeat in
// every test suite, and land in the middle of the printed figures.
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
Object.entries(QUIET_SDK).forEach(([name, value]) => project.testTask.env(name, value));

// samples/ ships: event files for `cdk-alarm-rollback simulate --event`, written
// for the README quick start's alarms, with times relative to the start.
for (const ignored of ['/lambda/', '/bench/', '/local/', '/.ci/', '/examples/', 'cdk.out/']) {
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
new javascript.TypescriptConfig(project, {
  fileName: 'local/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
  include: ['**/*.ts'],
  exclude: ['node_modules'],
});
project.eslint?.addLintPattern('local');
project.eslint?.allowDevDeps('local/**');

// The handler bundle inlines whatever lambda/ imports, so construct code must
// never reach it: lambda/ reads src/ only through the contract (which
// re-exports RollbackOutcome), and the contract itself imports no CDK.
project.eslint?.addOverride({
  files: ['lambda/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', {
      zones: [{
        target: './lambda',
        from: './src',
        except: ['./private/contract.ts'],
        message: 'The handler imports nothing from src/ but src/private/contract.ts; add what it needs there (without aws-cdk-lib)',
      }],
    }],
  },
});
project.eslint?.addOverride({
  files: ['src/private/contract.ts', 'src/rollback-outcome.ts'],
  rules: {
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

project.addTask('bench', {
  description: 'Measure the handler and the construct against their baselines and print the figures',
  env: QUIET_SDK,
  steps: [{ spawn: 'bundle' }, { exec: runScript('bench/run-benchmarks.ts') }],
});

project.addTask('reliability', {
  description: 'Run the bundled handler through faults and alarm storms, print one line per suite, fail on a lost event or a second stop',
  env: QUIET_SDK,
  steps: [
    { spawn: 'bundle' },
    { exec: 'rm -rf test-reports/reliability' },
    // The suites mostly wait on timeouts and retries, so they run side by side even on 2 cores.
    { exec: 'jest test/reliability --coverage=false --ci --maxWorkers=4' },
    { exec: runScript('test/reliability/print-report.ts') },
  ],
});

// Bundle the SDK: the runtime's copy would have a say over our client versions.
const handlerBundling: Partial<javascript.AddBundleOptions> = {
  externals: [],
  minify: true,
};

new awscdk.LambdaFunction(project, {
  entrypoint: 'lambda/rollback.lambda.ts',
  constructFile: 'src/private/rollback-function.ts',
  constructName: 'RollbackFunction',
  runtime: awscdk.LambdaRuntime.NODEJS_22_X,
  cdkDeps: project.cdkDeps,
  bundlingOptions: handlerBundling,
});

// The handler asset is built by projenrc/bundle-handler.ts with the esbuild
// settings of projenrc/handler-bundle.ts, where the benchmark's baselines
// take theirs from: split ES modules, the SDK trimmed to what the handler
// loads, and a check that no chunk needs what the asset leaves out.
project.tasks.tryFind('bundle:lambda/rollback.lambda')!.reset(
  'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/bundle-handler.ts',
);

// `npx cdk-alarm-rollback simulate`: the local services and the simulation,
// bundled into one CommonJS file shipped in assets/ (local/ itself is not
// shipped). dynalite stays external: it has a native dependency, and the
// command asks for it only when a simulation starts.
const CLI_BUNDLE = 'assets/cli/index.js';
const bundleCli = project.addTask('bundle:cli', {
  description: 'Bundle the cdk-alarm-rollback command (local/cli.ts)',
  steps: [
    { exec: 'rm -rf assets/cli' },
    {
      exec: [
        'esbuild --bundle local/cli.ts --platform=node --target=node20 --format=cjs --minify',
        `--tsconfig=local/tsconfig.json --external:dynalite --outfile=${CLI_BUNDLE}`,
        '--legal-comments=none --log-level=warning',
      ].join(' '),
    },
    { exec: `chmod +x ${CLI_BUNDLE}` },
  ],
});
project.tasks.tryFind('bundle')!.spawn(bundleCli);
project.addBins({ 'cdk-alarm-rollback': CLI_BUNDLE });

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
  env: QUIET_SDK,
  steps: [
    { spawn: 'bundle' },
    { exec: INTEG_RUNNER },
    // integ-runner leaves the assertion stacks out of its comparison.
    { exec: 'projenrc/check-integ-assertions.sh' },
  ],
});
project.addTask('integ:deploy', {
  description: 'Deploy test/integ.*.ts (or the ones named) to the AWS account of the current credentials in us-east-1, run their assertions, destroy them and update the snapshots',
  env: QUIET_SDK,
  steps: [
    { spawn: 'bundle' },
    { exec: `${INTEG_RUNNER} --update-on-failed --force --parallel-regions us-east-1`, receiveArgs: true },
  ],
});
project.addTask('integ:update', {
  description: 'Rewrite the snapshots of test/integ.*.ts, without deploying (commit the result)',
  env: QUIET_SDK,
  // --force: a change to the assertions alone passes integ-runner's own check,
  // so only rewriting every snapshot is sure to take it in.
  steps: [{ spawn: 'bundle' }, { exec: `${INTEG_RUNNER} --update-on-failed --dry-run --force` }],
});

// Outside CI projen's package task builds every language's package, which
// needs Maven, pip, dotnet and go on the machine. `npx projen build` (the
// README's test command, run on any fresh machine) packages npm only; the
// workflows build the other packages in their own jobs (package:java, ...),
// and pacmak:check covers their code generation everywhere.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// The GitHub build runs what `.ci/run` runs after the build.
project.buildWorkflow?.addPostBuildSteps(
  { name: 'Generate every language binding', run: `npx projen ${pacmakCheck.name}` },
  { name: 'Compare integration test snapshots', run: `npx projen ${integCheck.name}` },
);

project.addTask('demo', {
  description: 'Synthesize the example app and watch its alarms roll back AppConfig deployments (and cancel a Proton update, a deprecated target), locally',
  env: QUIET_SDK,
  steps: [{ spawn: 'bundle' }, { exec: runScript('examples/demo.ts') }],
});

project.synth();
