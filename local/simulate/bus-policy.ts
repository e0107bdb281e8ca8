/**
 * The part of IAM policy evaluation that decides whether an EventBridge rule
 * may put an event on another event bus: the receiving bus's resource policy
 * (for a bus in another account) and the rule role's identity policies.
 *
 * Covered, per statement ("IAM JSON policy elements reference", IAM User
 * Guide): `Effect` Allow and Deny (a matching Deny wins); `Principal` `*`,
 * `{ "AWS": ... }` naming an account id, `arn:<p>:iam::<account>:root` or the
 * role's ARN; `Action` and `Resource` as strings or lists with `*` and `?`
 * wildcards (actions compared without case); `Condition` with the operators
 * StringEquals, StringNotEquals, StringLike, StringNotLike, ArnEquals,
 * ArnLike (and their `ForAnyValue:` / `ForAllValues:` forms) on the keys
 * `events:source`, `events:detail-type` ("Using IAM policy conditions in
 * Amazon EventBridge"), `aws:PrincipalOrgID`, `aws:PrincipalAccount` and
 * `aws:SourceArn` (the sending rule's ARN, as the example policy "Send events
 * only from a specific Region to a different Region" uses it).
 *
 * Not covered: NotPrincipal, NotAction, NotResource, other operators and
 * keys, policy variables, permission boundaries, SCPs and session policies.
 * A statement that uses one of them does not match, and the reason says
 * which: simulate never allows what it cannot check.
 */

/** One IAM policy statement, intrinsics resolved. */
export type PolicyStatement = Record<string, unknown>;

/** What is asked of a policy: may this principal put this event on this bus? */
export interface PutEventsRequest {
  /** The account the sending rule (and its role) belong to. */
  readonly principalAccount: string;
  /** The rule's role, when it has one. */
  readonly roleArn?: string;
  /** The organization the sending account belongs to, from the state file. */
  readonly principalOrgId?: string;
  /** The ARN of the receiving bus. */
  readonly busArn: string;
  /** The ARN of the rule that sends the event (`aws:SourceArn`). */
  readonly sourceArn: string;
  readonly source: string;
  readonly detailType: string;
}

/** A policy's answer, with the reason a person can act on. */
export interface PolicyDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

const ACTION = 'events:PutEvents';

/**
 * The receiving bus's resource policy, as EventBridge applies it to a rule of
 * another account: an Allow statement must name the sender, the action and
 * the bus, with every condition met, and no Deny statement may match.
 */
export function evaluateBusPolicy(statements: readonly PolicyStatement[], request: PutEventsRequest): PolicyDecision {
  if (statements.length === 0) {
    return { allowed: false, reason: `event bus ${request.busArn} has no resource policy, so no other account may put events on it` };
  }
  return decide(statements, request, true, `the resource policy of event bus ${request.busArn}`);
}

/** The identity policies of the rule's role: one must allow events:PutEvents on the bus. */
export function evaluateRolePolicy(statements: readonly PolicyStatement[], request: PutEventsRequest): PolicyDecision {
  return decide(statements, request, false, `the policies of role ${request.roleArn}`);
}

function decide(statements: readonly PolicyStatement[], request: PutEventsRequest, resourcePolicy: boolean, what: string): PolicyDecision {
  const misses: string[] = [];
  let allowedBy: string | undefined;
  for (const [index, statement] of statements.entries()) {
    const label = typeof statement.Sid === 'string' && statement.Sid !== '' ? `statement ${statement.Sid}` : `statement ${index + 1}`;
    const miss = statementMiss(statement, request, resourcePolicy);
    if (miss !== undefined) {
      misses.push(`${label}: ${miss}`);
      continue;
    }
    if (statement.Effect === 'Deny') return { allowed: false, reason: `${label} of ${what} denies ${ACTION}` };
    allowedBy ??= label;
  }
  if (allowedBy !== undefined) return { allowed: true, reason: `${allowedBy} of ${what} allows ${ACTION}` };
  return { allowed: false, reason: `no statement of ${what} allows ${ACTION} from account ${request.principalAccount}${misses.length ? ` (${misses.join('; ')})` : ''}` };
}

/** Why a statement does not apply to the request, or undefined when it does. */
function statementMiss(statement: PolicyStatement, request: PutEventsRequest, resourcePolicy: boolean): string | undefined {
  for (const unsupported of ['NotPrincipal', 'NotAction', 'NotResource']) {
    if (statement[unsupported] !== undefined) return `${unsupported} is not modelled by simulate`;
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return `Effect ${JSON.stringify(statement.Effect)} is neither Allow nor Deny`;
  if (resourcePolicy && !principalMatches(statement.Principal, request)) {
    return `Principal ${JSON.stringify(statement.Principal)} does not name account ${request.principalAccount}`;
  }
  const actions = strings(statement.Action);
  if (!actions.some((action) => wildcard(action, true).test(ACTION))) return `Action ${JSON.stringify(statement.Action)} does not cover ${ACTION}`;
  if (statement.Resource !== undefined && !strings(statement.Resource).some((resource) => wildcard(resource, false).test(request.busArn))) {
    return `Resource ${JSON.stringify(statement.Resource)} does not cover ${request.busArn}`;
  }
  return conditionMiss(statement.Condition, request);
}

function principalMatches(principal: unknown, request: PutEventsRequest): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  return strings(principal.AWS).some((entry) => entry === '*'
    || entry === request.principalAccount
    || new RegExp(`^arn:[^:]+:iam::${request.principalAccount}:root$`).test(entry)
    || (request.roleArn !== undefined && entry === request.roleArn));
}

/** The values a condition key has for the request; undefined when the key is absent from the request context. */
function contextValue(key: string, request: PutEventsRequest): string | undefined | null {
  switch (key.toLowerCase()) {
    case 'events:source': return request.source;
    case 'events:detail-type': return request.detailType;
    case 'aws:principalorgid': return request.principalOrgId;
    case 'aws:principalaccount': return request.principalAccount;
    case 'aws:sourcearn': return request.sourceArn;
    default: return null;
  }
}

const OPERATORS: Record<string, { test: (pattern: string, value: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (pattern, value) => pattern === value, negated: false },
  StringNotEquals: { test: (pattern, value) => pattern === value, negated: true },
  StringLike: { test: (pattern, value) => wildcard(pattern, false).test(value), negated: false },
  StringNotLike: { test: (pattern, value) => wildcard(pattern, false).test(value), negated: true },
  ArnEquals: { test: (pattern, value) => pattern === value, negated: false },
  ArnLike: { test: (pattern, value) => wildcard(pattern, false).test(value), negated: false },
};

/**
 * Every operator and key must be met; one key's values are alternatives
 * ("Using IAM policy conditions in Amazon EventBridge"). A key absent from
 * the request fails a positive operator and passes a negated one, except
 * that `ForAllValues:` passes on an absent key (IAM User Guide,
 * "Multivalued context keys").
 */
function conditionMiss(condition: unknown, request: PutEventsRequest): string | undefined {
  if (condition === undefined) return undefined;
  if (!isObject(condition)) return `Condition ${JSON.stringify(condition)} is not an object`;
  for (const [qualified, keys] of Object.entries(condition)) {
    const [set, name] = qualified.includes(':') ? qualified.split(':', 2) : [undefined, qualified];
    const operator = OPERATORS[name];
    if (!operator || (set !== undefined && set !== 'ForAnyValue' && set !== 'ForAllValues')) {
      return `condition operator ${qualified} is not modelled by simulate`;
    }
    if (!isObject(keys)) return `condition ${qualified} is not an object of keys`;
    for (const [key, expected] of Object.entries(keys)) {
      const value = contextValue(key, request);
      if (value === null) return `condition key ${key} is not modelled by simulate`;
      if (value === undefined) {
        if (set === 'ForAllValues' || operator.negated) continue;
        return `condition ${qualified} on ${key}: the request has no ${key}${key.toLowerCase() === 'aws:principalorgid' ? ` (account ${request.principalAccount} is in no organization of the state file)` : ''}`;
      }
      const any = strings(expected).some((pattern) => operator.test(pattern, value));
      if (any === operator.negated) return `condition ${qualified} on ${key} is not met by ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** An IAM pattern: `*` any characters, `?` one character. */
function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const source = [...pattern].map((char) => char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
