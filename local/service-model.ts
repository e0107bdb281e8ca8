/**
 * A local service's request rules, from AWS's published service model
 * (local/models/<service>.rules.json, written by tools/service-rules.ts from
 * botocore), and the check that holds a request to them. The rules are AWS's,
 * not the construct's: a rule the construct gets wrong is refused here.
 *
 * Where the model is silent, the operation's API Reference page applies, and
 * the server that applies it cites the page: CloudWatch's PutMetricAlarm says
 * an alarm name "can't contain ASCII control characters" (AlarmName has no
 * pattern), its Schedule shape documents `at(...)` expressions and ISO 8601
 * durations (Expression and Duration are lengths only), and StopDeployment
 * allows a revert "within 72 hours of deployment completion".
 */
import { ServiceError } from './service-error';

/** A member of a structure: its shape and, in restJson, where it travels. */
export interface MemberRule {
  readonly shape: string;
  /** `uri`, `querystring` or `header` (restJson); absent for the body. */
  readonly location?: string;
  readonly locationName?: string;
}

/** One shape's facts. Strings and lists carry lengths, numbers values. */
export interface ShapeRule {
  readonly type: string;
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, MemberRule>>;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface OperationRule {
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: string;
  readonly output?: string;
  /** The error shapes the model lists for the operation. */
  readonly errors: readonly string[];
}

export interface ErrorRule {
  /** The awsQuery code (awsQueryCompatible services); else the shape name is the code. */
  readonly code?: string;
  readonly httpStatusCode?: number;
  readonly fault?: boolean;
}

export interface ServiceRules {
  readonly service: string;
  readonly apiVersion: string;
  readonly protocol: string;
  readonly operations: Readonly<Record<string, OperationRule>>;
  readonly errors: Readonly<Record<string, ErrorRule>>;
  readonly shapes: Readonly<Record<string, ShapeRule>>;
}

/**
 * A value the published model lacks but the service has, shown by the newer
 * model the pinned JavaScript SDK client is generated from. Each one names
 * where it comes from; the model-conformance test fails once botocore has it,
 * so it is removed then.
 */
export interface EnumAmendment {
  readonly shape: string;
  readonly value: string;
  readonly source: string;
}

/** `rules` with each amendment's enum value added. */
export function amend(rules: ServiceRules, amendments: readonly EnumAmendment[]): ServiceRules {
  const shapes: Record<string, ShapeRule> = { ...rules.shapes };
  for (const { shape, value } of amendments) {
    const rule = shapes[shape];
    if (!rule?.enum) throw new Error(`${rules.service}: amendment to ${shape}, which is not an enum in the model`);
    shapes[shape] = { ...rule, enum: [...rule.enum, value] };
  }
  return { ...rules, shapes };
}

/** How a service answers a request that breaks its model: one error, the message from the violations. */
export type Refusal = (message: string) => ServiceError;

/**
 * The request's input, checked against the operation's input shape: required
 * members, types, lengths, values, patterns and enums. Members bound to the
 * URI, query string or a header arrive as text and are read into their
 * shape's type first (an integer that is not one is a violation). Every
 * violation is reported in one error, the way AWS's validation lists them
 * ("2 validation errors detected: ..."); the wording is ours.
 *
 * Patterns are held against the whole value. Smithy's `@pattern` is not
 * implicitly anchored, but the API References give each pattern as the form
 * of the value ("Pattern: [a-z0-9]{4,7}" for an AppConfig ID), so a value that
 * merely contains a match is refused: the stricter reading, which can only
 * make the local service refuse more than AWS, never less.
 *
 * Lengths are counted in Unicode code points, as Smithy's `@length` counts
 * a string.
 */
export function checkInput(rules: ServiceRules, operation: string, input: Record<string, unknown>, refuse: Refusal): Record<string, unknown> {
  const rule = rules.operations[operation];
  if (!rule) throw new Error(`${rules.service}: no model rules for ${operation}; add it to tools/service-rules.ts and run 'npx projen service-rules'`);
  if (!rule.input) return input;
  const violations: string[] = [];
  const checked = checkStructure(rules, rules.shapes[rule.input], input, '', violations, true) as Record<string, unknown>;
  if (violations.length > 0) {
    const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
    throw refuse(`${count}: ${violations.join('; ')}`);
  }
  return checked;
}

/** The member path AWS's validation messages use: lower camel case, list items numbered from 1. */
const pathOf = (parent: string, member: string) => {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent ? `${parent}.${name}` : name;
};

const show = (value: unknown) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? 'null');

const violation = (path: string, value: unknown, constraint: string) =>
  `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`;

function checkStructure(
  rules: ServiceRules, shape: ShapeRule, value: unknown, path: string, violations: string[], topLevel = false,
): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    violations.push(violation(path, value, 'be a structure'));
    return value;
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...input };
  for (const name of shape.required ?? []) {
    const given = input[name];
    // An empty URI label cannot be sent: the path would name another resource.
    const emptyLabel = shape.members?.[name]?.location === 'uri' && given === '';
    if (given === undefined || given === null || emptyLabel) {
      violations.push(violation(pathOf(path, name), null, 'not be null'));
    }
  }
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    let given = input[name];
    if (given === undefined || given === null) continue;
    const memberShape = rules.shapes[member.shape];
    if (topLevel && member.location && typeof given === 'string') {
      given = fromText(memberShape, given);
    }
    out[name] = checkValue(rules, memberShape, given, pathOf(path, name), violations);
  }
  return out;
}

/**
 * A scalar sent as text (a URI label, query value or header, or an awsQuery
 * form field) as its shape's type; left as text when it cannot be read, so
 * the check reports it as the wrong type. Strings and timestamps (ISO 8601
 * text, which the check reads) stay as sent.
 */
export function fromText(shape: ShapeRule, text: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'float':
    case 'double':
      return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}

function checkValue(rules: ServiceRules, shape: ShapeRule, value: unknown, path: string, violations: string[]): unknown {
  switch (shape.type) {
    case 'structure':
      return checkStructure(rules, shape, value, path, violations);
    case 'list': {
      if (!Array.isArray(value)) {
        violations.push(violation(path, value, 'be a list'));
        return value;
      }
      checkRange(shape, value.length, path, value, 'length', violations);
      const memberShape = rules.shapes[shape.member!];
      return value.map((item, index) => checkValue(rules, memberShape, item, `${path}.${index + 1}`, violations));
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        violations.push(violation(path, value, 'be a map'));
        return value;
      }
      const entries = Object.entries(value);
      checkRange(shape, entries.length, path, value, 'length', violations);
      for (const [key, item] of entries) {
        checkValue(rules, rules.shapes[shape.key!], key, `${path}.key`, violations);
        checkValue(rules, rules.shapes[shape.value!], item, `${path}.${key}`, violations);
      }
      return value;
    }
    case 'string':
      checkString(shape, value, path, violations);
      return value;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        violations.push(violation(path, value, 'be an integer'));
      } else {
        checkRange(shape, value, path, value, 'value', violations);
      }
      return value;
    case 'float':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        violations.push(violation(path, value, 'be a number'));
      } else {
        checkRange(shape, value, path, value, 'value', violations);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') violations.push(violation(path, value, 'be a boolean'));
      return value;
    case 'timestamp':
      // awsJson sends epoch seconds, restJson ISO 8601 text (the protocol's default format).
      if (typeof value !== 'number' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
        violations.push(violation(path, value, 'be a timestamp'));
      }
      return value;
    default:
      return value;
  }
}

function checkString(shape: ShapeRule, value: unknown, path: string, violations: string[]): void {
  if (typeof value !== 'string') {
    violations.push(violation(path, value, 'be a string'));
    return;
  }
  if (shape.enum && !shape.enum.includes(value)) {
    violations.push(violation(path, value, `satisfy enum value set: [${shape.enum.join(', ')}]`));
  }
  checkRange(shape, [...value].length, path, value, 'length', violations);
  if (shape.pattern !== undefined && !wholeMatch(shape.pattern).test(value)) {
    violations.push(violation(path, value, `satisfy regular expression pattern: ${shape.pattern}`));
  }
}

function checkRange(shape: ShapeRule, measure: number, path: string, value: unknown, what: 'length' | 'value', violations: string[]): void {
  const { min, max } = shape;
  const tooSmall = min !== undefined && measure < min;
  const tooLarge = max !== undefined && measure > max;
  if (!tooSmall && !tooLarge) return;
  const constraint = min !== undefined && max !== undefined
    ? `have ${what} between ${min} and ${max}`
    : min !== undefined ? `have ${what} greater than or equal to ${min}` : `have ${what} less than or equal to ${max}`;
  violations.push(violation(path, value, constraint));
}

const patterns = new Map<string, RegExp>();

/** The model's pattern, held against the whole value (see checkInput). */
function wholeMatch(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, regex);
  }
  return regex;
}

/** The code a client reports for `errorName`: the awsQuery code where the model gives one, else the name. */
export function errorCode(rules: ServiceRules, errorName: string): string {
  return rules.errors[errorName]?.code ?? errorName;
}

/**
 * Whether the service may answer `operation` with `code`: the model lists it
 * for the operation, or it is one of the service's common errors (`common`,
 * which each server documents from its API Reference's "Common Errors").
 */
export function mayAnswer(rules: ServiceRules, operation: string, code: string, common: readonly string[]): boolean {
  const listed = rules.operations[operation]?.errors.map((name) => errorCode(rules, name)) ?? [];
  return listed.includes(code) || common.includes(code);
}

/**
 * The members the model requires in the operation's output that `body` lacks,
 * at any depth, by their paths (`environment.templateName`, `Items.1.State`).
 */
export function missingOutput(rules: ServiceRules, operation: string, body: unknown): string[] {
  const output = rules.operations[operation]?.output;
  const missing: string[] = [];
  if (output) findMissing(rules, rules.shapes[output], body, '', missing);
  return missing;
}

function findMissing(rules: ServiceRules, shape: ShapeRule, value: unknown, path: string, missing: string[]): void {
  if (value === undefined || value === null) return;
  if (shape.type === 'list' && Array.isArray(value)) {
    value.forEach((item, index) => findMissing(rules, rules.shapes[shape.member!], item, `${path}.${index + 1}`, missing));
  } else if (shape.type === 'structure' && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    for (const name of shape.required ?? []) {
      if (fields[name] === undefined || fields[name] === null) missing.push(path ? `${path}.${name}` : name);
    }
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      findMissing(rules, rules.shapes[member.shape], fields[name], path ? `${path}.${name}` : name, missing);
    }
  }
}
