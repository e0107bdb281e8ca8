#!/usr/bin/env node
// The `cdk-alarm-rollback` command, bundled into assets/cli/index.js and
// shipped in the npm package. `dynalite` is not bundled (it has a native
// dependency); it is loaded only when a simulation starts.
import { parseArgs } from 'util';

const USAGE = 'usage: cdk-alarm-rollback simulate --assembly cdk.out [--state state.json] --event alarm.json [--event more.json ...] [--json]';

const HELP = `${USAGE}

Runs your synthesized app's rollback rules and the bundled rollback handler
locally, against local AppConfig, Proton and DynamoDB, and shows what each
alarm event would do: the rules it matches, the API calls, the deployment's
state before and after, the outcome and the ledger record. No AWS account is
used.

  --assembly DIR   the cloud assembly \`cdk synth\` writes (cdk.out)
  --state FILE     what exists before the alarms fire: AppConfig applications,
                   deployment strategies and deployments, Proton environments
                   (see "Simulate" in the README for the format)
  --event FILE     an EventBridge event (or a list of them), delivered in order;
                   repeat --event for more files; a file may repeat an event
  --json           print a machine-readable report instead of the timeline
`;

/** Output streams, replaceable in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command; resolves to the exit code. Bad input is one line on stderr and exit code 1. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`cdk-alarm-rollback: ${message}\n`);
    return 1;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        assembly: { type: 'string' },
        state: { type: 'string' },
        event: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${oneLine((error as Error).message)}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length === 0) return fail(`no command given; ${USAGE}`);
  if (positionals[0] !== 'simulate' || positionals.length > 1) {
    return fail(`unknown command "${positionals.join(' ')}"; ${USAGE}`);
  }
  if (!values.assembly) return fail(`simulate needs --assembly (the cdk.out folder of \`cdk synth\`); ${USAGE}`);
  if (!values.event?.length) return fail(`simulate needs at least one --event file (an EventBridge alarm state change event); ${USAGE}`);

  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- probes the external dependency the bundle leaves out
    require('dynalite');
  } catch {
    return fail('simulate needs dynalite: npm install --save-dev dynalite');
  }

  // The simulation's own DynamoDB client runs on the build machine's Node; its support notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded only now, so a missing dynalite is reported above rather than as a load error.
  const simulate = await import('./simulate');
  try {
    simulate.readCloudAssembly(values.assembly);
    const state = values.state ? simulate.readStateFile(values.state) : {};
    const events = values.event.flatMap((file) => simulate.readEventFile(file));
    const report = await simulate.runSimulation({ assembly: values.assembly, state, events });
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${simulate.formatTimeline(report)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof simulate.SimulationInputError) return fail(oneLine(error.message));
    if (process.env.DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return fail(`simulate failed: ${oneLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error))} (set DEBUG=1 for the stack trace)`);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // Exit once the output is flushed: the local services and the handler's worker are closed, but be sure.
    process.stdout.write('', () => process.exit(code));
  });
}
