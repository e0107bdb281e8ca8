import { AssemblyBakeGate } from './find-bake-gates';
import { SimulationInputError } from './simulation-input-error';
import { Rules, TargetKind, TargetInput } from '../../src/contract';
import { StackSeed } from '../cloudformation-state';
import { AssemblyStack } from './cloud-assembly';

/**
 * The state file's `cloudFormation`: the stacks stack targets guard, as they
 * stand when the simulation starts, and the updates it starts. A stack the
 * assembly synthesizes gets its resources and its bake gate from its
 * template; any other is one resource and no gate.
 */
export interface StateCloudFormation {
  readonly stacks?: readonly StateStack[];
  /** UpdateStack on these stacks when the simulation starts, after the seeded ones. */
  readonly updates?: readonly StateStackUpdate[];
}

/** The statuses a state file may give a stack: the ones an update starts or ends in. */
export const STATE_STACK_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_FAILED'] as const;
const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

export interface StateStack {
  /** The stack's name, as the target's `stackName` or the CDK stack's name gives it. */
  readonly name: string;
  /** @default 'CREATE_COMPLETE' */
  readonly status?: typeof STATE_STACK_STATUSES[number];
  /**
   * An update that started this many minutes ago, from `status`. It runs on
   * as CloudFormation would: its resources take 30 seconds, then the bake
   * gate (if the stack has one) holds it, then 10 seconds of cleanup.
   * @default - no update in flight
   */
  readonly updateStartedMinutesAgo?: number;
  /** @default 60, and at least the update's start */
  readonly createdMinutesAgo?: number;
}

export interface StateStackUpdate {
  /** The stack's name. */
  readonly stack: string;
  /** As `cdk deploy --no-rollback`: a failed update stops in UPDATE_FAILED. @default false */
  readonly disableRollback?: boolean;
}

type Fail = (field: string, expected: string) => never;

/** Checks `cloudFormation` of a state file; `fail` names the field and what it must be. */
export function checkStackState(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value)) fail('cloudFormation', 'an object like { "stacks": [{ "name": "Checkout", "updateStartedMinutesAgo": 2 }] }');
  const state = value as Record<string, unknown>;
  const list = (field: string) => {
    const items = state[field];
    if (items !== undefined && !Array.isArray(items)) fail(`cloudFormation.${field}`, 'a list');
    return (items ?? []) as unknown[];
  };
  const names = new Set<string>();
  list('stacks').forEach((stack, i) => {
    const at = `cloudFormation.stacks[${i}]`;
    if (!isObject(stack)) fail(at, 'an object like { "name": "Checkout", "status": "UPDATE_COMPLETE" }');
    const s = stack as Record<string, unknown>;
    if (typeof s.name !== 'string' || !Rules.CLOUDFORMATION_STACK_NAME_OR_ID.test(s.name) || s.name.startsWith('arn:')) {
      fail(`${at}.name`, 'a stack name: 1 to 128 letters, digits or "-", starting with a letter');
    }
    if (names.has(String(s.name))) fail(`${at}.name`, `a name no other entry of cloudFormation.stacks has (${String(s.name)} is there twice)`);
    names.add(String(s.name));
    if (s.status !== undefined && !(STATE_STACK_STATUSES as readonly string[]).includes(String(s.status))) {
      fail(`${at}.status`, `one of ${STATE_STACK_STATUSES.join(', ')}`);
    }
    for (const field of ['updateStartedMinutesAgo', 'createdMinutesAgo']) {
      const n = s[field];
      if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n < 0)) fail(`${at}.${field}`, 'a number of zero or more');
    }
    if (s.updateStartedMinutesAgo !== undefined && !UPDATABLE.includes(String(s.status ?? 'CREATE_COMPLETE'))) {
      fail(`${at}.status`, `one an update starts from (${UPDATABLE.join(', ')}) when updateStartedMinutesAgo is given, as CloudFormation refuses UpdateStack on a stack in ${String(s.status)}`);
    }
    if (typeof s.createdMinutesAgo === 'number' && typeof s.updateStartedMinutesAgo === 'number' && s.createdMinutesAgo < s.updateStartedMinutesAgo) {
      fail(`${at}.createdMinutesAgo`, `at least updateStartedMinutesAgo (${s.updateStartedMinutesAgo}): a stack is updated after it is created`);
    }
  });
  list('updates').forEach((update, i) => {
    const at = `cloudFormation.updates[${i}]`;
    if (!isObject(update)) fail(at, 'an object like { "stack": "Checkout" }');
    const u = update as Record<string, unknown>;
    if (typeof u.stack !== 'string' || u.stack === '') fail(`${at}.stack`, 'the name of a stack');
    if (u.disableRollback !== undefined && typeof u.disableRollback !== 'boolean') fail(`${at}.disableRollback`, 'true or false');
  });
}

const MINUTE = 60_000;

/**
 * The local CloudFormation's seed: every stack a stack target names and
 * every stack of the state file. A stack of the assembly gets its template's
 * resources (the gate apart) and, when it has one, its bake gate, which holds
 * the update until the simulation's gate functions release it; the
 * environment is the assembly stack's, else the first target's rule's.
 */
export function cloudFormationSeed(
  state: StateCloudFormation | undefined,
  targets: readonly { readonly target: TargetInput; readonly account: string; readonly region: string }[],
  stacks: readonly AssemblyStack[],
  gates: readonly AssemblyBakeGate[],
  now: number,
): StackSeed[] {
  const declared = state?.stacks ?? [];
  const wanted = new Map<string, { account: string; region: string }>();
  for (const { target, account, region } of targets) {
    if (target.kind !== TargetKind.CLOUDFORMATION_STACK) continue;
    wanted.set(stackNameOf(target.stackName), { account, region });
  }
  const fallback = targets[0] ?? { account: '123456789012', region: 'us-east-1' };
  for (const stack of declared) if (!wanted.has(stack.name)) wanted.set(stack.name, { account: fallback.account, region: fallback.region });
  for (const update of state?.updates ?? []) {
    if (!wanted.has(update.stack)) {
      throw new SimulationInputError(`state file: cloudFormation.updates names stack ${update.stack}, which no stack target guards and cloudFormation.stacks does not list; add it to cloudFormation.stacks or name one of: ${[...wanted.keys()].join(', ') || 'none'}`);
    }
  }
  return [...wanted].map(([name, where]) => {
    const stack = stacks.find((candidate) => candidate.environment.stackName === name);
    const gate = gates.find((candidate) => candidate.stack === stack);
    const entry = declared.find((candidate) => candidate.name === name);
    const updateStartedAt = entry?.updateStartedMinutesAgo === undefined ? undefined : now - entry.updateStartedMinutesAgo * MINUTE;
    const resources = stack
      ? Object.entries(stack.template.Resources ?? {})
        .filter(([logicalId, resource]) => logicalId !== gate?.logicalId && resource.Type !== 'AWS::CDK::Metadata')
        .map(([logicalId, resource]) => ({ logicalId, type: resource.Type }))
      : undefined;
    return {
      name,
      status: entry?.status,
      ...(resources && resources.length > 0 ? { resources } : {}),
      bakeGate: gate ? { logicalId: gate.logicalId, type: String(stack!.template.Resources![gate.logicalId].Type) } : false,
      createdAt: now - (entry?.createdMinutesAgo ?? Math.max(60, entry?.updateStartedMinutesAgo ?? 0)) * MINUTE,
      templateBody: stack ? JSON.stringify(stack.template) : undefined,
      accountId: stack?.environment.account ?? where.account,
      region: stack?.environment.region ?? where.region,
      ...(updateStartedAt !== undefined ? { update: { startedAt: updateStartedAt } } : {}),
    };
  });
}

/** A stack ID's name (`arn:...:stack/<name>/<id>`), or the name itself. */
export function stackNameOf(nameOrId: string): string {
  return nameOrId.startsWith('arn:') ? nameOrId.split(':stack/')[1]?.split('/')[0] ?? nameOrId : nameOrId;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
