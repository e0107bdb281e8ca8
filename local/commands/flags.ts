import { parseArgs, ParseArgsConfig } from 'util';
import { closest } from '../closest-word';

// Where commands and tests have always imported them from.
export { closest, editDistance } from '../closest-word';

/** Bad command-line input: printed as one line with the command's usage, exit code 1. */
export class UsageError extends Error {
  public readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type ParsedFlags<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>;

/**
 * Parses a command's flags strictly. An unknown flag names the closest known
 * one when a typo is the likely cause (`--asembly` -> `--assembly`), so the
 * fix is in the message rather than in the help text.
 */
export function parseFlags<T extends Options>(args: string[], options: T, usage: string): ParsedFlags<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ').trim();
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const suggestion = unknown ? closest(unknown.replace(/^-+/, ''), Object.keys(options)) : undefined;
    const hint = suggestion ? ` Did you mean --${suggestion}?` : '';
    throw new UsageError(`${message.replace(/\.?$/, '.')}${hint} ${usage}`);
  }
}
