import { createHash, randomUUID } from 'crypto';
import { ServiceError } from './service-error';
import { VirtualClock } from './virtual-clock';

/*
 * The stack update protocol, drawn once. Every transition below happens at a
 * service time computed from the clock; nothing runs on timers, so a test can
 * jump an hour ahead and read the events with the times they happened at.
 *
 *   CREATE_COMPLETE / UPDATE_COMPLETE / UPDATE_ROLLBACK_COMPLETE
 *     │ UpdateStack (token T)                        ┌─ CancelUpdateStack (while UPDATE_IN_PROGRESS only)
 *     ▼                                              │  or a resource fails (the bake gate, or its timeout)
 *   UPDATE_IN_PROGRESS ── resources update ── bake gate holds ──┤
 *     │ gate succeeds (released, bake time up)                  ▼
 *     ▼                                        UPDATE_ROLLBACK_IN_PROGRESS ── resources roll back
 *   UPDATE_COMPLETE_CLEANUP_IN_PROGRESS                          ▼
 *     ▼ (no rollback any more)                 UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS
 *   UPDATE_COMPLETE                                              ▼
 *                                              UPDATE_ROLLBACK_COMPLETE
 *
 *   With DisableRollback a failed resource leaves UPDATE_FAILED; RollbackStack
 *   takes it to UPDATE_ROLLBACK_IN_PROGRESS and on as above. A seeded
 *   UPDATE_ROLLBACK_FAILED stack resumes with ContinueUpdateRollback.
 *
 * Sources: CancelUpdateStack API ("You can cancel only stacks that are in the
 * UPDATE_IN_PROGRESS state"), User Guide "Cancel a stack update" (the stack
 * proceeds to UPDATE_ROLLBACK_IN_PROGRESS, then UPDATE_ROLLBACK_COMPLETE),
 * RollbackStack and ContinueUpdateRollback API references, and aws-cdk
 * docs/CLOUDFORMATION.md (no rollback starts once UPDATE_IN_PROGRESS ends).
 *
 * Not modelled: rollback triggers and their monitoring time, stack creation
 * and deletion, DescribeEvents, a rollback that fails by itself (seed
 * UPDATE_ROLLBACK_FAILED instead). A nested stack carries ParentId and RootId
 * but does not follow its root's update, and its cancel is not refused:
 * whether AWS refuses CancelUpdateStack on a nested stack is undocumented
 * (the nested stacks guide only says to start operations from the root).
 */

/** The StackStatus values this emulator moves stacks through (a subset of the model's enum). */
export type LocalStackStatus =
  | 'CREATE_COMPLETE'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE';

/** The model's OperationType enum (OperationEntry). */
export type StackOperationType = 'CREATE_STACK' | 'UPDATE_STACK' | 'DELETE_STACK' | 'CONTINUE_ROLLBACK' | 'ROLLBACK' | 'CREATE_CHANGESET';

/** States UpdateStack accepts; any other is refused with ValidationError. */
const UPDATABLE: ReadonlySet<LocalStackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

export interface StackResourceSeed {
  readonly logicalId: string;
  /** @default 'AWS::Lambda::Function' */
  readonly type?: string;
}

/**
 * The bake gate: a custom resource that depends on every other resource, so
 * CloudFormation updates it last and the update stays UPDATE_IN_PROGRESS
 * while it holds.
 */
export interface BakeGateSeed {
  /** @default 'BakeGate' */
  readonly logicalId?: string;
  /** @default 'AWS::CloudFormation::CustomResource' */
  readonly type?: string;
  /**
   * The gate succeeds by itself this long after it starts (a bake with its
   * alarms quiet).
   * @default - holds until `releaseBake()` or the timeout
   */
  readonly bakeMs?: number;
  /**
   * The gate fails this long after it starts if nothing released it. One hour
   * is the custom-resource ceiling of the CDK Provider framework.
   * @default 3_600_000
   */
  readonly timeoutMs?: number;
}

export interface StackSeed {
  readonly name: string;
  /** @default 'CREATE_COMPLETE' */
  readonly status?: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED' | 'UPDATE_FAILED';
  /** @default - one `Function` (AWS::Lambda::Function) */
  readonly resources?: readonly StackResourceSeed[];
  /** @default - a gate with the BakeGateSeed defaults; `false` for none */
  readonly bakeGate?: BakeGateSeed | false;
  /** The parent stack's name, for a nested stack (gives ParentId and RootId). @default - a root stack */
  readonly parent?: string;
  /** @default - now */
  readonly createdAt?: number;
  /** @default '{"Resources":{}}' */
  readonly templateBody?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * An update already running, started at `startedAt` (settled from there
   * like any other: seeded far enough back, it has completed).
   * @default - none
   */
  readonly update?: { readonly startedAt: number; readonly clientRequestToken?: string; readonly disableRollback?: boolean };
}

export interface CloudFormationTimings {
  /** How long the resources other than the gate take to update (they update in parallel). @default 30_000 */
  readonly resourceUpdateMs?: number;
  /** How long a rollback takes to restore the resources. @default 30_000 */
  readonly rollbackMs?: number;
  /** How long either cleanup phase takes. @default 10_000 */
  readonly cleanupMs?: number;
}

export interface UpdateStackInput {
  readonly templateBody?: string;
  readonly templateUrl?: string;
  readonly usePreviousTemplate?: boolean;
  readonly parameters?: readonly { readonly key: string; readonly value?: string; readonly usePreviousValue?: boolean }[];
  readonly disableRollback?: boolean;
  readonly clientRequestToken?: string;
}

/** One StackEvent (times in epoch ms). */
export interface StackEventView {
  readonly eventId: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly operationId?: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId: string;
  readonly resourceType: string;
  readonly timestamp: number;
  readonly resourceStatus: string;
  readonly resourceStatusReason?: string;
  readonly clientRequestToken?: string;
}

export interface OperationView {
  readonly operationId: string;
  readonly operationType: StackOperationType;
}

/** A stack as DescribeStacks reports it (times in epoch ms). */
export interface StackView {
  readonly stackId: string;
  readonly stackName: string;
  readonly creationTime: number;
  readonly lastUpdatedTime?: number;
  readonly stackStatus: LocalStackStatus;
  readonly stackStatusReason?: string;
  readonly disableRollback: boolean;
  readonly parentId?: string;
  readonly rootId?: string;
  readonly parameters: readonly { readonly key: string; readonly value: string }[];
  /** Newest first. */
  readonly lastOperations: readonly OperationView[];
}

/**
 * The EventBridge event CloudFormation sends when a stack's status changes
 * (EventBridge reference, "CloudFormation events"; detail shape from the
 * CloudFormation User Guide "Stack Status Change" detail reference). The
 * envelope `time` is the event's only timestamp.
 */
export interface StackStatusChangeEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': 'CloudFormation Stack Status Change';
  readonly 'source': 'aws.cloudformation';
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': {
    readonly 'stack-id': string;
    readonly 'status-details': { readonly 'status': LocalStackStatus; readonly 'status-reason': string };
    readonly 'client-request-token': string;
  };
}

export type StackStatusListener = (event: StackStatusChangeEvent) => void;

type Phase = 'resources' | 'bake' | 'cleanup' | 'rollback' | 'rollbackCleanup';

interface Operation {
  readonly id: string;
  readonly type: StackOperationType;
  /** The token of the request that started it, carried by its events. */
  token?: string;
  phase: Phase;
  phaseStartedAt: number;
  /** The resources this operation changed, which a rollback restores. */
  readonly touched: Required<StackResourceSeed>[];
  /** Set by `releaseBake()` while the gate holds. */
  release?: { readonly at: number; readonly success: boolean; readonly reason?: string };
}

interface StackRecord {
  readonly name: string;
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
  readonly resources: readonly Required<StackResourceSeed>[];
  readonly gate?: Required<Omit<BakeGateSeed, 'bakeMs'>> & Pick<BakeGateSeed, 'bakeMs'>;
  readonly parentId?: string;
  readonly rootId?: string;
  status: LocalStackStatus;
  statusReason?: string;
  lastUpdatedAt?: number;
  template: string;
  /** The template the stack returns to on rollback. */
  previousTemplate?: string;
  parameters: { key: string; value: string }[];
  previousParameters?: { key: string; value: string }[];
  disableRollback: boolean;
  /** The operation in flight, if any. */
  current?: Operation;
  /** Every operation, newest first. */
  readonly operations: OperationView[];
  /** Oldest first. */
  readonly events: StackEventView[];
}

/**
 * Status reasons of a cancelled update, as CloudFormation spells them in
 * practice (public client code filters on them); the API Reference does not
 * document reasons, so callers must not depend on them.
 */
export const STACK_CANCELLED_REASON = 'Stack update cancelled';
export const RESOURCE_CANCELLED_REASON = 'Resource update cancelled';

/** A request by its client request token, for idempotent retries. */
interface TokenUse {
  readonly action: string;
  readonly stackId: string;
  readonly result: unknown;
}

/**
 * ValidationError (400, Sender) is not in the model's error shapes; it is a
 * common error of the CloudFormation API Reference ("Common Errors"), and the
 * code AWS answers for every refusal below.
 */
export const stackValidationError = (message: string) => new ServiceError('ValidationError', 400, message);

/**
 * CloudFormation stacks of one emulated account, their operations settled
 * lazily from the clock.
 */
export class CloudFormationState {
  private readonly stacks: StackRecord[] = [];
  private readonly tokens = new Map<string, TokenUse>();
  private readonly listeners: StackStatusListener[] = [];
  private readonly resourceUpdateMs: number;
  private readonly rollbackMs: number;
  private readonly cleanupMs: number;

  constructor(private readonly clock: VirtualClock, timings: CloudFormationTimings = {}) {
    this.resourceUpdateMs = timings.resourceUpdateMs ?? 30_000;
    this.rollbackMs = timings.rollbackMs ?? 30_000;
    this.cleanupMs = timings.cleanupMs ?? 10_000;
  }

  now(): number {
    return this.clock.now();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * Calls `listener` at every stack status change. Changes that come from the
   * clock are seen when the stack is next read, with the time they happened.
   */
  onStatusChange(listener: StackStatusListener): void {
    this.listeners.push(listener);
  }

  seed(seed: { readonly stacks?: readonly StackSeed[] }): void {
    for (const stack of seed.stacks ?? []) {
      if (this.stacks.some((existing) => existing.name === stack.name)) {
        throw new Error(`stack ${stack.name} is already seeded; seed each stack name once`);
      }
      const parent = stack.parent === undefined ? undefined : this.stacks.find((existing) => existing.name === stack.parent);
      if (stack.parent !== undefined && !parent) {
        throw new Error(`stack ${stack.name} names parent ${stack.parent}, which is not seeded; seed the parent first`);
      }
      const accountId = stack.accountId ?? '123456789012';
      const region = stack.region ?? 'us-east-1';
      const createdAt = stack.createdAt ?? this.now();
      const id = `arn:aws:cloudformation:${region}:${accountId}:stack/${stack.name}/${randomUUID()}`;
      const gate = stack.bakeGate === false ? undefined : {
        logicalId: stack.bakeGate?.logicalId ?? 'BakeGate',
        type: stack.bakeGate?.type ?? 'AWS::CloudFormation::CustomResource',
        timeoutMs: stack.bakeGate?.timeoutMs ?? 3_600_000,
        bakeMs: stack.bakeGate?.bakeMs,
      };
      const record: StackRecord = {
        name: stack.name,
        id,
        accountId,
        region,
        createdAt,
        resources: (stack.resources ?? [{ logicalId: 'Function' }]).map((resource) => ({ logicalId: resource.logicalId, type: resource.type ?? 'AWS::Lambda::Function' })),
        gate,
        parentId: parent?.id,
        rootId: parent ? parent.rootId ?? parent.id : undefined,
        status: stack.status ?? 'CREATE_COMPLETE',
        template: stack.templateBody ?? '{"Resources":{}}',
        parameters: [],
        disableRollback: false,
        operations: [],
        events: [],
      };
      const create: OperationView = { operationId: randomUUID(), operationType: 'CREATE_STACK' };
      record.operations.unshift(create);
      this.stackEvent(record, 'CREATE_COMPLETE', createdAt, undefined, create.operationId);
      if (stack.update && (!UPDATABLE.has(record.status) || stack.update.startedAt < createdAt)) {
        throw new Error(`stack ${stack.name} seeds an update from status ${record.status} or before its creation; seed it from a complete status, after createdAt`);
      }
      if (record.status !== 'CREATE_COMPLETE') record.lastUpdatedAt = createdAt;
      this.stacks.push(record);
      if (stack.update) {
        record.previousTemplate = record.template;
        record.previousParameters = record.parameters;
        record.template = `${record.template} `;
        this.startUpdate(record, stack.update.startedAt, stack.update.clientRequestToken, stack.update.disableRollback ?? false);
        this.remember(stack.update.clientRequestToken, 'UpdateStack', record, { stackId: record.id, operationId: record.current!.id });
      }
    }
  }

  describeStack(nameOrId: string): StackView {
    return this.view(this.settled(nameOrId));
  }

  /** Every stack, in creation order (DescribeStacks without a StackName). */
  describeStacks(): StackView[] {
    return this.stacks.map((stack) => this.view(this.settle(stack)));
  }

  /** The stack's events, newest first: DescribeStackEvents returns them "in reverse chronological order" (API Reference). */
  stackEvents(nameOrId: string): StackEventView[] {
    return [...this.settled(nameOrId).events].reverse();
  }

  /**
   * UpdateStack. Refused with ValidationError unless the stack is in a
   * complete state; "No updates are to be performed." when neither the
   * template nor a parameter changes.
   */
  updateStack(nameOrId: string, input: UpdateStackInput): { stackId: string; operationId: string } {
    const stack = this.settled(nameOrId);
    const replay = this.replay(input.clientRequestToken, 'UpdateStack', stack);
    if (replay) return replay as { stackId: string; operationId: string };
    if (!UPDATABLE.has(stack.status)) {
      throw stackValidationError(`Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    const sources = [input.templateBody !== undefined, input.templateUrl !== undefined, input.usePreviousTemplate === true].filter(Boolean).length;
    if (sources === 0) {
      throw stackValidationError('Either Template URL or Template Body must be specified.');
    }
    if (sources > 1) {
      throw stackValidationError('Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate.');
    }
    const template = input.templateBody ?? (input.templateUrl !== undefined ? `url:${input.templateUrl}` : stack.template);
    const parameters = (input.parameters ?? []).map((parameter) => {
      if (parameter.usePreviousValue) {
        const previous = stack.parameters.find((existing) => existing.key === parameter.key);
        if (!previous) throw stackValidationError(`Invalid input for parameter key ${parameter.key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`);
        return previous;
      }
      return { key: parameter.key, value: parameter.value ?? '' };
    });
    if (template === stack.template && JSON.stringify(parameters) === JSON.stringify(stack.parameters)) {
      throw stackValidationError('No updates are to be performed.');
    }
    const now = this.now();
    stack.previousTemplate = stack.template;
    stack.previousParameters = stack.parameters;
    stack.template = template;
    stack.parameters = parameters;
    const operation = this.startUpdate(stack, now, input.clientRequestToken, input.disableRollback ?? false);
    const result = { stackId: stack.id, operationId: operation.id };
    this.remember(input.clientRequestToken, 'UpdateStack', stack, result);
    return result;
  }

  private startUpdate(stack: StackRecord, at: number, token: string | undefined, disableRollback: boolean): Operation {
    stack.disableRollback = disableRollback;
    const operation = this.begin(stack, 'UPDATE_STACK', token, at, 'resources');
    stack.lastUpdatedAt = at;
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', at, 'User Initiated');
    stack.resources.forEach((resource) => this.resourceEvent(stack, resource, 'UPDATE_IN_PROGRESS', at));
    return operation;
  }

  /**
   * CancelUpdateStack: only while UPDATE_IN_PROGRESS; the update rolls back.
   * A retry with the token of a cancel already received is the same request
   * and changes nothing (CancelUpdateStack API, ClientRequestToken: "so that
   * CloudFormation knows that you're not attempting to cancel an update on a
   * stack with the same name"); a token that named another request is
   * TokenAlreadyExistsException. Returns false for such a retry, true when
   * this call cancelled the update.
   */
  cancelUpdateStack(nameOrId: string, clientRequestToken?: string): boolean {
    const stack = this.settled(nameOrId);
    if (this.replay(clientRequestToken, 'CancelUpdateStack', stack)) return false;
    const operation = stack.current;
    if (stack.status !== 'UPDATE_IN_PROGRESS' || !operation || (operation.phase !== 'resources' && operation.phase !== 'bake')) {
      // The wording AWS answers; clients match on it (aws/copilot-cli#5046,
      // internal/pkg/aws/cloudformation/errors.go).
      throw stackValidationError('CancelUpdateStack cannot be called from current stack status');
    }
    const now = this.now();
    if (clientRequestToken !== undefined) operation.token = clientRequestToken;
    const inFlight = operation.phase === 'resources' ? stack.resources : [this.gateResource(stack)];
    inFlight.forEach((resource) => this.resourceEvent(stack, resource, 'UPDATE_FAILED', now, RESOURCE_CANCELLED_REASON));
    this.rollBack(stack, operation, now, STACK_CANCELLED_REASON);
    this.remember(clientRequestToken, 'CancelUpdateStack', stack, {});
    return true;
  }

  /** RollbackStack: from UPDATE_FAILED (an update run with DisableRollback) back to the previous template. */
  rollbackStack(nameOrId: string, clientRequestToken?: string): { stackId: string; operationId: string } {
    const stack = this.settled(nameOrId);
    const replay = this.replay(clientRequestToken, 'RollbackStack', stack);
    if (replay) return replay as { stackId: string; operationId: string };
    if (stack.status !== 'UPDATE_FAILED') {
      // AWS documents the states RollbackStack works from, not its refusal's text.
      throw stackValidationError(`Stack:${stack.id} is in ${stack.status} state and can not be rolled back.`);
    }
    const now = this.now();
    const operation = this.begin(stack, 'ROLLBACK', clientRequestToken, now, 'rollback');
    this.rollBack(stack, operation, now, 'User Initiated');
    const result = { stackId: stack.id, operationId: operation.id };
    this.remember(clientRequestToken, 'RollbackStack', stack, result);
    return result;
  }

  /** ContinueUpdateRollback: from UPDATE_ROLLBACK_FAILED, finishes the rollback. */
  continueUpdateRollback(nameOrId: string, clientRequestToken?: string): void {
    const stack = this.settled(nameOrId);
    if (this.replay(clientRequestToken, 'ContinueUpdateRollback', stack)) return;
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED') {
      // Our wording: the API Reference gives the state, not the refusal's text.
      throw stackValidationError(`Stack:${stack.id} is in ${stack.status} state and can not continue an update rollback.`);
    }
    const now = this.now();
    const operation = this.begin(stack, 'CONTINUE_ROLLBACK', clientRequestToken, now, 'rollback');
    this.rollBack(stack, operation, now, 'User Initiated');
    this.remember(clientRequestToken, 'ContinueUpdateRollback', stack, {});
  }

  /**
   * Ends the bake gate's hold as its custom resource would: success lets the
   * update complete, failure rolls it back (or leaves UPDATE_FAILED with
   * DisableRollback). Throws when the gate is not holding, a mistake in the test.
   */
  releaseBake(nameOrId: string, outcome: { readonly success: boolean; readonly reason?: string }): void {
    const stack = this.settled(nameOrId);
    const operation = stack.current;
    if (!operation || operation.phase !== 'bake') {
      throw new Error(`the bake gate of ${stack.name} is not holding (status ${stack.status}); release it while the update bakes`);
    }
    operation.release = { at: this.now(), ...outcome };
    this.settle(stack);
  }

  /**
   * Whether the bake gate holds the stack's update now, and since when: what
   * a player of the Provider framework (the simulation) needs to know when
   * to call the gate, as CloudFormation would when it reaches the resource.
   */
  bakeHold(nameOrId: string): { readonly since: number; readonly operationId: string } | undefined {
    const operation = this.settled(nameOrId).current;
    if (!operation || operation.phase !== 'bake' || operation.release) return undefined;
    return { since: operation.phaseStartedAt, operationId: operation.id };
  }

  private settled(nameOrId: string): StackRecord {
    const stack = this.stacks.find((candidate) => candidate.name === nameOrId || candidate.id === nameOrId);
    // The text AWS answers for an unknown stack (it names what was asked for).
    if (!stack) throw stackValidationError(`Stack with id ${nameOrId} does not exist`);
    return this.settle(stack);
  }

  /** Applies every transition whose time has come, in order, at the time it happened. */
  private settle(stack: StackRecord): StackRecord {
    const now = this.now();
    for (;;) {
      const operation = stack.current;
      if (!operation) return stack;
      const next = this.nextTransition(stack, operation);
      if (!next || next.at > now) return stack;
      next.apply();
    }
  }

  private nextTransition(stack: StackRecord, operation: Operation): { at: number; apply: () => void } | undefined {
    const start = operation.phaseStartedAt;
    switch (operation.phase) {
      case 'resources': {
        const at = start + this.resourceUpdateMs;
        return {
          at,
          apply: () => {
            stack.resources.forEach((resource) => this.resourceEvent(stack, resource, 'UPDATE_COMPLETE', at));
            if (stack.gate) {
              this.enter(operation, 'bake', at);
              operation.touched.push(this.gateResource(stack));
              this.resourceEvent(stack, this.gateResource(stack), 'UPDATE_IN_PROGRESS', at);
            } else {
              this.completeUpdate(stack, operation, at);
            }
          },
        };
      }
      case 'bake': {
        const gate = stack.gate!;
        const candidates: { at: number; success: boolean; reason?: string }[] = [
          { at: start + gate.timeoutMs, success: false, reason: `The bake gate timed out after ${gate.timeoutMs / 60_000} minutes` },
        ];
        if (operation.release) candidates.push(operation.release);
        if (gate.bakeMs !== undefined) candidates.push({ at: start + gate.bakeMs, success: true });
        const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
        return {
          at: first.at,
          apply: () => {
            const resource = this.gateResource(stack);
            if (first.success) {
              this.resourceEvent(stack, resource, 'UPDATE_COMPLETE', first.at);
              this.completeUpdate(stack, operation, first.at);
              return;
            }
            this.resourceEvent(stack, resource, 'UPDATE_FAILED', first.at, first.reason ?? 'The bake gate failed');
            const reason = `The following resource(s) failed to update: [${resource.logicalId}]. `;
            if (stack.disableRollback) {
              this.finish(stack, 'UPDATE_FAILED', first.at, reason);
            } else {
              this.rollBack(stack, operation, first.at, reason);
            }
          },
        };
      }
      case 'cleanup': {
        const at = start + this.cleanupMs;
        return {
          at,
          apply: () => this.finish(stack, 'UPDATE_COMPLETE', at),
        };
      }
      case 'rollback': {
        const at = start + this.rollbackMs;
        return {
          at,
          apply: () => {
            operation.touched.forEach((resource) => this.resourceEvent(stack, resource, 'UPDATE_COMPLETE', at));
            this.enter(operation, 'rollbackCleanup', at);
            this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', at);
          },
        };
      }
      case 'rollbackCleanup': {
        const at = start + this.cleanupMs;
        return {
          at,
          apply: () => this.finish(stack, 'UPDATE_ROLLBACK_COMPLETE', at),
        };
      }
    }
  }

  /** The operation's last status: its event still carries the operation's id and token. */
  private finish(stack: StackRecord, status: LocalStackStatus, at: number, reason?: string): void {
    this.setStatus(stack, status, at, reason);
    stack.current = undefined;
  }

  private completeUpdate(stack: StackRecord, operation: Operation, at: number): void {
    this.enter(operation, 'cleanup', at);
    this.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', at);
  }

  /** Starts restoring the previous template: every resource gets an UPDATE_IN_PROGRESS back to its old properties. */
  private rollBack(stack: StackRecord, operation: Operation, at: number, reason: string): void {
    stack.current = operation;
    this.enter(operation, 'rollback', at);
    if (stack.previousTemplate !== undefined) {
      stack.template = stack.previousTemplate;
      stack.parameters = stack.previousParameters ?? [];
    }
    this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', at, reason);
    operation.touched.forEach((resource) => this.resourceEvent(stack, resource, 'UPDATE_IN_PROGRESS', at));
  }

  private begin(stack: StackRecord, type: StackOperationType, token: string | undefined, at: number, phase: Phase): Operation {
    // A rollback of its own (RollbackStack, ContinueUpdateRollback) restores
    // whatever the failed update changed: every resource.
    const touched = type === 'UPDATE_STACK' ? [...stack.resources] : this.allResources(stack);
    const operation: Operation = { id: randomUUID(), type, token, phase, phaseStartedAt: at, touched };
    stack.current = operation;
    stack.operations.unshift({ operationId: operation.id, operationType: type });
    return operation;
  }

  private enter(operation: Operation, phase: Phase, at: number): void {
    operation.phase = phase;
    operation.phaseStartedAt = at;
    operation.release = undefined;
  }

  private gateResource(stack: StackRecord): Required<StackResourceSeed> {
    return { logicalId: stack.gate!.logicalId, type: stack.gate!.type };
  }

  private allResources(stack: StackRecord): Required<StackResourceSeed>[] {
    return stack.gate ? [...stack.resources, this.gateResource(stack)] : [...stack.resources];
  }

  /** The same token for the same action on the same stack is the same request: its first answer, nothing done again. */
  private replay(token: string | undefined, action: string, stack: StackRecord): unknown {
    if (token === undefined) return undefined;
    const use = this.tokens.get(token);
    if (!use) return undefined;
    if (use.action !== action || use.stackId !== stack.id) {
      throw new ServiceError('TokenAlreadyExistsException', 400, `Another ${use.action} request already used the client request token ${token}.`);
    }
    return use.result;
  }

  private remember(token: string | undefined, action: string, stack: StackRecord, result: unknown): void {
    if (token !== undefined) this.tokens.set(token, { action, stackId: stack.id, result });
  }

  private setStatus(stack: StackRecord, status: LocalStackStatus, at: number, reason?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.stackEvent(stack, status, at, reason, stack.current?.id ?? stack.operations[0]?.operationId);
    if (this.listeners.length === 0) return;
    const event: StackStatusChangeEvent = {
      'version': '0',
      'id': randomUUID(),
      'detail-type': 'CloudFormation Stack Status Change',
      'source': 'aws.cloudformation',
      'account': stack.accountId,
      'time': new Date(at).toISOString(),
      'region': stack.region,
      'resources': [stack.id],
      'detail': {
        'stack-id': stack.id,
        'status-details': { 'status': status, 'status-reason': reason ?? '' },
        'client-request-token': stack.current?.token ?? '',
      },
    };
    this.listeners.forEach((listener) => listener(event));
  }

  /** A stack-level event: LogicalResourceId is the stack name, PhysicalResourceId the stack id. */
  private stackEvent(stack: StackRecord, status: string, at: number, reason: string | undefined, operationId: string | undefined): void {
    this.pushEvent(stack, {
      logicalResourceId: stack.name,
      physicalResourceId: stack.id,
      resourceType: 'AWS::CloudFormation::Stack',
      resourceStatus: status,
      resourceStatusReason: reason,
      timestamp: at,
      operationId,
    });
  }

  private resourceEvent(stack: StackRecord, resource: Required<StackResourceSeed>, status: string, at: number, reason?: string): void {
    this.pushEvent(stack, {
      logicalResourceId: resource.logicalId,
      physicalResourceId: physicalId(stack, resource.logicalId),
      resourceType: resource.type,
      resourceStatus: status,
      resourceStatusReason: reason,
      timestamp: at,
      operationId: stack.current?.id,
    });
  }

  private pushEvent(stack: StackRecord, event: Omit<StackEventView, 'eventId' | 'stackId' | 'stackName' | 'clientRequestToken'>): void {
    // Events of one operation share the token of the request that started it
    // (StackEvent.ClientRequestToken in the API Reference); after a cancel,
    // the cancel's token, as the rollback is its doing (inferred).
    const token = stack.current?.token;
    stack.events.push({
      ...event,
      eventId: event.logicalResourceId === stack.name ? randomUUID() : `${event.logicalResourceId}-${randomUUID()}`,
      stackId: stack.id,
      stackName: stack.name,
      ...(token !== undefined ? { clientRequestToken: token } : {}),
    });
  }

  private view(stack: StackRecord): StackView {
    return {
      stackId: stack.id,
      stackName: stack.name,
      creationTime: stack.createdAt,
      lastUpdatedTime: stack.lastUpdatedAt,
      stackStatus: stack.status,
      stackStatusReason: stack.statusReason,
      disableRollback: stack.disableRollback,
      parentId: stack.parentId,
      rootId: stack.rootId,
      parameters: stack.parameters.map((parameter) => ({ ...parameter })),
      // How many operations AWS lists is not documented ("the most recent
      // operations"); we give the last five, newest first.
      lastOperations: stack.operations.slice(0, 5).map((operation) => ({ ...operation })),
    };
  }
}

/** A stable physical id per resource, shaped like CloudFormation's generated names. */
function physicalId(stack: StackRecord, logicalId: string): string {
  const suffix = createHash('sha256').update(`${stack.id}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  return `${stack.name}-${logicalId}-${suffix}`;
}
