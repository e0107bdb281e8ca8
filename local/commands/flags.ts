import { parseArgs, ParseArgsConfig } from 'util';

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

/**
 * The known word nearest to `word` by edit distance, if it is near enough to
 * be a typo: at most a third of the word's length (at least 1, at most 3).
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}

/**
 * Edit distance counting an insertion, a deletion, a substitution or a swap
 * of two neighbouring letters as one edit (the optimal string alignment
 * distance), so `--tabel` is one edit from `--table`.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
