/**
 * EventBridge event pattern matching, as the EventBridge user guide
 * ("Creating event patterns", "Content filtering") describes it.
 *
 * Covered:
 * - fields nested to any depth; a pattern field the event lacks does not match
 *   (except `{ "exists": false }`); every field of the pattern must match
 * - a list of values matches when any of them does; an event value that is a
 *   list matches when any of its elements does
 * - exact values: strings, numbers (compared as numbers, so 5 matches 5.0),
 *   booleans and null, each only against the same JSON type
 * - `prefix` and `suffix` (also `{ "prefix": { "equals-ignore-case": ... } }`)
 * - `equals-ignore-case`
 * - `wildcard`, with `*` for any characters and `\*` for a literal asterisk
 * - `anything-but` with a value, a list of values, `prefix`, `suffix`,
 *   `equals-ignore-case` (value or list) and `wildcard`; like EventBridge it
 *   needs the field to be present
 * - `numeric` with `=`, `<`, `<=`, `>`, `>=`, in pairs for ranges
 * - `exists: true` and `exists: false` (on leaf fields)
 * - `cidr` for IPv4 addresses
 * - `$or` between sets of fields
 *
 * Not covered: IPv6 `cidr`, and EventBridge's checks that a pattern is valid
 * (size, nesting and value limits); a pattern is taken as given.
 */

/** Whether `event` matches `pattern`. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return explainEventPattern(pattern, event).matched;
}

/** The first pattern field that does not match, as a dotted path, or `matched: true`. */
export interface PatternExplanation {
  readonly matched: boolean;
  /** The path of the first field that failed, e.g. `detail.state.value`. */
  readonly field?: string;
}

/** Matches and, when the event does not match, names the field that failed. */
export function explainEventPattern(pattern: unknown, event: unknown): PatternExplanation {
  if (!isObject(pattern)) {
    throw new Error(`an event pattern is a JSON object, got ${JSON.stringify(pattern)}`);
  }
  const failed = matchObject(pattern, event, []);
  return failed === undefined ? { matched: true } : { matched: false, field: failed.join('.') || '(event)' };
}

type Path = string[];

/** Returns undefined when `value` matches, else the path of the field that failed. */
function matchObject(pattern: Record<string, unknown>, value: unknown, path: Path): Path | undefined {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      const alternatives = expected as Record<string, unknown>[];
      if (!alternatives.some((alternative) => matchObject(alternative, value, path) === undefined)) {
        return [...path, '$or'];
      }
      continue;
    }
    const fieldPath = [...path, key];
    const present = isObject(value) && Object.hasOwn(value, key);
    const field = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected, present, field)) return fieldPath;
    } else if (isObject(expected)) {
      // A nested pattern matches an object, or any object of a list.
      const candidates = Array.isArray(field) ? field : [field];
      const failures = candidates.map((candidate) => matchObject(expected, candidate, fieldPath));
      const matched = present && failures.some((failure) => failure === undefined);
      if (!matched) return failures.find((failure) => failure !== undefined) ?? fieldPath;
    } else {
      throw new Error(`event pattern field ${fieldPath.join('.')} must be a list or an object, got ${JSON.stringify(expected)}`);
    }
  }
  return undefined;
}

/** A leaf: the field matches when any of the pattern's values matches it. */
function matchLeaf(expected: unknown[], present: boolean, field: unknown): boolean {
  const values = Array.isArray(field) ? field : [field];
  return expected.some((matcher) => {
    if (isObject(matcher) && Object.hasOwn(matcher, 'exists')) {
      const exists = present && !(Array.isArray(field) && field.length === 0);
      return matcher.exists === exists;
    }
    if (!present) return false;
    return values.some((value) => matchValue(matcher, value));
  });
}

function matchValue(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return sameValue(matcher, value);
  const [operator, argument] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && affix(argument, value, (text, part) => text.startsWith(part));
    case 'suffix':
      return typeof value === 'string' && affix(argument, value, (text, part) => text.endsWith(part));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof argument === 'string' && value.toLowerCase() === argument.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof argument === 'string' && wildcard(argument).test(value);
    case 'anything-but':
      return !anyOf(argument, value);
    case 'numeric':
      return typeof value === 'number' && numeric(argument as unknown[], value);
    case 'cidr':
      return typeof value === 'string' && typeof argument === 'string' && inCidr(argument, value);
    default:
      throw new Error(`unknown event pattern operator ${JSON.stringify(operator)}`);
  }
}

/** `anything-but`'s argument: a value, a list of values, or a prefix, suffix, equals-ignore-case or wildcard matcher. */
function anyOf(argument: unknown, value: unknown): boolean {
  if (Array.isArray(argument)) return argument.some((entry) => sameValue(entry, value));
  if (isObject(argument)) {
    const [operator, inner] = Object.entries(argument)[0] ?? [];
    if (Array.isArray(inner)) return inner.some((entry) => matchValue({ [operator]: entry }, value));
    return matchValue(argument, value);
  }
  return sameValue(argument, value);
}

function affix(argument: unknown, text: string, test: (text: string, part: string) => boolean): boolean {
  if (typeof argument === 'string') return test(text, argument);
  if (isObject(argument) && typeof argument['equals-ignore-case'] === 'string') {
    return test(text.toLowerCase(), argument['equals-ignore-case'].toLowerCase());
  }
  throw new Error(`prefix and suffix take a string or { "equals-ignore-case": string }, got ${JSON.stringify(argument)}`);
}

function sameValue(expected: unknown, value: unknown): boolean {
  if (typeof expected === 'number' && typeof value === 'number') return expected === value;
  return expected === value;
}

function numeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok = operator === '=' ? value === bound
      : operator === '<' ? value < bound
        : operator === '<=' ? value <= bound
          : operator === '>' ? value > bound
            : operator === '>=' ? value >= bound
              : (() => { throw new Error(`unknown numeric operator ${JSON.stringify(operator)}`); })();
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && pattern[i + 1] === '*') {
      source += '\\*';
      i++;
    } else if (char === '*') {
      source += '.*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

function inCidr(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split('/');
  const base = ipv4(network);
  const value = ipv4(address);
  const size = Number(bits ?? 32);
  if (base === undefined || value === undefined || !(size >= 0 && size <= 32)) return false;
  const block = 2 ** (32 - size);
  return Math.floor(base / block) === Math.floor(value / block);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
