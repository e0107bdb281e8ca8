import { closest } from '../closest-word';

/**
 * The keys an object in an input file may have. A misspelt key is otherwise
 * ignored without a word (`"deployment"` for `"deployments"` seeds no
 * deployment and the run still exits 0), so every object of a state or event
 * file is walked against its shape and an unknown key is refused.
 */
export type Shape =
  | { readonly kind: 'object'; readonly keys: { readonly [key: string]: Shape } }
  | { readonly kind: 'list'; readonly of: Shape }
  | { readonly kind: 'value' };

/** A value whose keys are not looked into: a string, a number, or a map of the user's own names (tags, dimensions). */
export const VALUE: Shape = { kind: 'value' };
export const objectOf = (keys: { readonly [key: string]: Shape }): Shape => ({ kind: 'object', keys });
export const listOf = (of: Shape): Shape => ({ kind: 'list', of });
/** An object whose keys all hold values not looked into. */
export const valuesOf = (...keys: string[]): Shape => objectOf(Object.fromEntries(keys.map((key) => [key, VALUE])));

/** An unknown key: where it is, the key its parent object has that is closest to it, and all its parent's keys. */
export interface UnknownKey {
  /** The key's path, `appConfig.deployments[0].startedMinutesAgo`. */
  readonly path: string;
  /** The path with the closest known key in its place, if one is near enough to be a typo. */
  readonly suggestion?: string;
  /** The parent's path, or `the top level`. */
  readonly parent: string;
  readonly known: readonly string[];
}

/**
 * The first key of `value` its shape does not have, depth first in file
 * order. A value of another type than its shape (a string where an object
 * belongs) is left to the checks that say what the value must be.
 */
export function findUnknownKey(value: unknown, shape: Shape, path = ''): UnknownKey | undefined {
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) return undefined;
    for (const [index, item] of value.entries()) {
      const unknown = findUnknownKey(item, shape.of, `${path}[${index}]`);
      if (unknown) return unknown;
    }
    return undefined;
  }
  if (shape.kind !== 'object' || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const known = Object.keys(shape.keys);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, item] of Object.entries(value)) {
    if (!Object.prototype.hasOwnProperty.call(shape.keys, key)) {
      const near = closest(key, known);
      return { path: at(key), suggestion: near === undefined ? undefined : at(near), parent: path || 'the top level', known };
    }
    const unknown = findUnknownKey(item, shape.keys[key], at(key));
    if (unknown) return unknown;
  }
  return undefined;
}

/** `"appConfig.deployment" is not a known key (did you mean "appConfig.deployments"?); appConfig has applications, ...`. */
export function describeUnknownKey(unknown: UnknownKey): string {
  const hint = unknown.suggestion ? ` (did you mean "${unknown.suggestion}"?)` : '';
  return `"${unknown.path}" is not a known key${hint}; ${unknown.parent} has ${unknown.known.join(', ')}`;
}
