/**
 * An awsQuery request's form body read into the operation's input structure
 * by the service model's shapes, so the query services are checked by the
 * same rules (service-model.ts's checkInput) as the JSON ones.
 *
 * The encoding, as the AWS SDKs write it for `protocol: query` (Smithy's
 * "AWS query protocol": form-url-encoded `Action`, `Version` and the input's
 * members): a structure's member is `<prefix>.<Member>`; a list's item is
 * `<prefix>.member.<N>`, N from 1 (no list of the served CloudFormation
 * operations is flattened or renamed, which tools/service-rules.ts would
 * show as a `locationName`); an empty list is `<prefix>=` with no value; a
 * map's entry is `<prefix>.entry.<N>.key` and `.value`; scalars are text
 * (`true`/`false`, decimal numbers, ISO 8601 timestamps). Parameters the
 * input shape does not name (`Action`, `Version`) are left out.
 */
import { fromText, ServiceRules, ShapeRule } from './service-model';

/** The input structure of `operation` that `params` encodes, with scalars read into their shapes' types where they can be. */
export function queryInput(rules: ServiceRules, operation: string, params: URLSearchParams): Record<string, unknown> {
  const inputShape = rules.operations[operation]?.input;
  if (inputShape === undefined) return {};
  return (decode(rules, rules.shapes[inputShape], '', params) ?? {}) as Record<string, unknown>;
}

function decode(rules: ServiceRules, shape: ShapeRule, prefix: string, params: URLSearchParams): unknown {
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const value = decode(rules, rules.shapes[member.shape], join(prefix, member.locationName ?? name), params);
        if (value !== undefined) out[name] = value;
      }
      return prefix !== '' && Object.keys(out).length === 0 ? undefined : out;
    }
    case 'list': {
      const indices = itemIndices(params, `${prefix}.member.`);
      if (indices.length === 0) return params.get(prefix) === '' ? [] : undefined;
      return indices.map((n) => decode(rules, rules.shapes[shape.member!], `${prefix}.member.${n}`, params));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const n of itemIndices(params, `${prefix}.entry.`)) {
        const key = params.get(`${prefix}.entry.${n}.key`);
        if (key !== null) out[key] = decode(rules, rules.shapes[shape.value!], `${prefix}.entry.${n}.value`, params);
      }
      return Object.keys(out).length === 0 ? (params.get(prefix) === '' ? {} : undefined) : out;
    }
    default: {
      const text = params.get(prefix);
      return text === null ? undefined : fromText(shape, text);
    }
  }
}

/** The item numbers under `head` (`Tags.member.`), in order; a number that is not a positive integer is kept as text for the check to see. */
function itemIndices(params: URLSearchParams, head: string): Array<number | string> {
  const found = new Set<string>();
  for (const key of params.keys()) {
    if (key.startsWith(head)) found.add(key.slice(head.length).split('.')[0]);
  }
  return [...found].map((index) => (/^[1-9]\d*$/.test(index) ? Number(index) : index))
    .sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
}

const join = (prefix: string, name: string) => (prefix === '' ? name : `${prefix}.${name}`);
