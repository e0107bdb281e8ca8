#!/usr/bin/env node
// The `cdk-alarm-rollback` command, bundled into packages/cli/bin and
// shipped in the cdk-alarm-rollback-cli package. `dynalite` is not bundled (it
// has a native dependency; the package depends on it); it is loaded only when
// a simulation starts. Each command's
// code is loaded only when it runs, so `--help` and `event` start fast.
import { CliIo, Command, fail } from './commands/command';
import { closest } from './commands/flags';

export type { CliIo } from './commands/command';

const COMMANDS: Record<string, () => Promise<Command>> = {
  simulate: async () => (await import('./commands/simulate')).simulateCommand,
  event: async () => (await import('./commands/event')).eventCommand,
  history: async () => (await import('./commands/history')).historyCommand,
};

const USAGE = `usage: cdk-alarm-rollback <${Object.keys(COMMANDS).join('|')}> [flags]; cdk-alarm-rollback <command> --help for its flags`;

const HELP = `${USAGE}

  simulate   run your synthesized app's rollback rules and handler locally
             against alarm events, and show what each would do (no AWS account)
  event      print a CloudWatch alarm state change event for an alarm of your
             synthesized app, ready for simulate --event
  history    read a deployed ledger with your AWS credentials, newest first
`;

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command; resolves to the exit code. Bad input is one line on stderr and exit code 1. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) return fail(io, `no command given; ${USAGE}`);
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    const near = closest(name.replace(/^-+/, ''), Object.keys(COMMANDS));
    return fail(io, `unknown command "${name}"${near ? `; did you mean ${near}?` : ''} ${USAGE}`);
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  return command.run(args, io);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // Exit once the output is flushed: the local services and the handler's worker are closed, but be sure.
    process.stdout.write('', () => process.exit(code));
  });
}
