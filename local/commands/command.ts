import { UsageError } from './flags';
import { SimulationInputError } from '../simulate/simulation-input-error';

/** Output streams, replaceable in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** One subcommand of `cdk-alarm-rollback`. */
export interface Command {
  /** One line: the flags, as the usage error shows them. */
  readonly usage: string;
  /** `--help`: the usage, then what the command does and every flag. */
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * Runs a command body: bad input (a UsageError, a SimulationInputError, or
 * what `explain` recognises) is one line on stderr and exit code 1; anything
 * else also, with the stack trace under DEBUG=1.
 */
export async function runCommand(
  name: string,
  io: CliIo,
  body: () => Promise<void>,
  explain: (error: unknown) => string | undefined = () => undefined,
): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SimulationInputError) return fail(io, error.message);
    const explained = explain(error);
    if (explained !== undefined) return fail(io, explained);
    if (process.env.DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return fail(io, `${name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (set DEBUG=1 for the stack trace)`);
  }
}

/** Prints one line on stderr; returns exit code 1. */
export function fail(io: CliIo, message: string): number {
  io.stderr(`cdk-alarm-rollback: ${oneLine(message)}\n`);
  return 1;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
