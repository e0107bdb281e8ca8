import { BakeRequest, parseBakeRequest } from './bake-request';
import { BakeAlarmRead, BakeDecision, BakeRules, decideBake } from './decide-bake';
import { AlarmStateCheckResult, RollbackOutcome } from '../../src/contract';
import { errorText } from '../shared/errors';
import { claimKeyOf, isStoppedStatus, latestStatus, StackHistory } from '../targets/cloudformation-stack/decide-stack-action';

/**
 * The bake gate: a custom resource on the CDK Provider framework that holds a
 * stack's update open for a bake. Its resource depends on every other
 * resource of the stack, so CloudFormation starts it last; `onEvent` starts
 * the bake and `isComplete`, called every query interval, answers false until
 * the bake is over, true then, and throws when one of the target's alarms
 * entered a trigger state after the update started: the Provider framework
 * then answers FAILED and CloudFormation rolls the whole update back.
 *
 * Who does what, when (one update):
 *
 *   CloudFormation       UPDATE_IN_PROGRESS ... every other resource ... gate Update ... UPDATE_COMPLETE_CLEANUP_IN_PROGRESS
 *   onEvent                                                               | reads the update's start, answers Data{BAKE}
 *   isComplete                                                            |-- false -- false -- ... -- true (bake over)
 *                                                                                     `-- throws (an alarm fired) -> FAILED
 *   alarm event path     CancelUpdateStack any time in UPDATE_IN_PROGRESS, under the same claim (stack ID + update start)
 *
 * Where it must not act: CloudFormation's rollback sends the gate an Update
 * with the old properties (Update request reference: "OldResourceProperties"),
 * and a Delete when the gate was new; both succeed at once. Its own defects
 * (a request it cannot read, a read of the stack that fails, an exception)
 * succeed too, and are reported as faults: the gate never stops an update
 * because it broke.
 */

/** What the gate needs from the world; the entry builds them once, tests hand in fakes. */
export interface BakeGateDependencies {
  now(): number;
  /** The stack resolved to its root, with its stack-level events back to `at` (findUpdateInFlight). */
  readStack(stackId: string, at: number): Promise<StackHistory | undefined>;
  readAlarms(alarmArns: readonly string[], rules: BakeRules): Promise<BakeAlarmRead>;
  /**
   * Takes the update's claim, shared with the alarm-event path; false when
   * the other path holds it (it has cancelled, or is cancelling, the update).
   * `target` names the claim's owner, as the event path's claims do.
   */
  claimUpdate(claimKey: string, reason: string, target?: string): Promise<boolean>;
  /** Log line, metric and, for decisions, ledger record: one call per report. */
  report(report: BakeReport): Promise<void>;
}

export interface BakeReport {
  readonly phase: 'START' | 'TICK';
  readonly stackId: string;
  readonly target?: string;
  readonly claimKey?: string;
  readonly result: AlarmStateCheckResult | 'SKIPPED';
  /** Set when the gate decided for the update: the outcome recorded in the ledger. */
  readonly outcome?: RollbackOutcome;
  readonly note: string;
}

/** What onEvent answers the Provider framework. */
export interface OnEventAnswer {
  readonly PhysicalResourceId: string;
  readonly Data: BakeData;
}

/** onEvent's answer, which the Provider framework hands to every isComplete as `Data`. Strings, as CloudFormation keeps them. */
export interface BakeData {
  readonly Mode: 'BAKE' | 'SKIP';
  readonly UpdateStartedAt?: string;
  readonly BakeEndsAt?: string;
  readonly ClaimKey?: string;
}

/** The gate's failure: its message is the reason CloudFormation shows for the failed resource. */
export class BakeFailedError extends Error {
  public readonly name = 'BakeFailedError';
}

/** The statuses an update or creation that the gate may hold is in. */
const HOLDABLE = new Set(['UPDATE_IN_PROGRESS', 'CREATE_IN_PROGRESS']);

export function createBakeGate(deps: BakeGateDependencies) {
  // A report that cannot be written is logged and dropped: it must neither fail an update nor hide an alarm.
  const report = async (what: BakeReport): Promise<void> => {
    try {
      await deps.report(what);
    } catch (error) {
      console.error(JSON.stringify({ message: 'the bake gate could not report', error: errorText(error), report: what }));
    }
  };
  const skip = async (request: { stackId: string; physicalResourceId?: string; logicalResourceId?: string }, result: BakeReport['result'], note: string, target?: string): Promise<OnEventAnswer> => {
    await report({ phase: 'START', stackId: request.stackId, target, result, note });
    return { PhysicalResourceId: request.physicalResourceId ?? physicalIdOf(request.stackId, request.logicalResourceId ?? 'BakeGate'), Data: { Mode: 'SKIP' } };
  };

  async function onEvent(input: unknown): Promise<OnEventAnswer> {
    let request: BakeRequest;
    try {
      request = parseBakeRequest(input);
    } catch (error) {
      const fields = looseFields(input);
      return skip(fields, AlarmStateCheckResult.REJECTED, `the gate's request could not be read (${errorText(error)}); the update goes on unbaked`);
    }
    const physicalResourceId = request.physicalResourceId ?? physicalIdOf(request.stackId, request.logicalResourceId);
    const target = request.properties.target || undefined;
    if (request.requestType === 'Delete') {
      return skip({ ...request, physicalResourceId }, 'SKIPPED', 'Delete: nothing to bake', target);
    }
    if (request.requestType === 'Update' && request.oldTemplateHash === request.properties.templateHash) {
      return skip({ ...request, physicalResourceId }, 'SKIPPED', 'the rest of the stack did not change (same template hash): nothing to bake', target);
    }
    try {
      const now = deps.now();
      const stack = await deps.readStack(request.stackId, now);
      if (stack === undefined) {
        return await skip({ ...request, physicalResourceId }, AlarmStateCheckResult.FAULT, 'the gate\'s own stack was not found; the update goes on unbaked', target);
      }
      // The latest read decides: a cancel that landed between the status and the events has started the rollback.
      const status = latestStatus(stack);
      if (isStoppedStatus(status)) {
        // CloudFormation is rolling back: this Update puts the old properties back.
        return await skip({ ...request, physicalResourceId }, 'SKIPPED', `the stack is ${status}: a rollback is not baked`, target);
      }
      const start = stack.transitions.find((t) => HOLDABLE.has(t.status));
      if (!HOLDABLE.has(status) || start === undefined) {
        return await skip({ ...request, physicalResourceId }, AlarmStateCheckResult.FAULT, `the stack is ${status} with no update start in its events; the update goes on unbaked`, target);
      }
      const claimKey = claimKeyOf(stack.stack.stackId, start.at);
      const data: BakeData = {
        Mode: 'BAKE',
        UpdateStartedAt: new Date(start.at).toISOString(),
        BakeEndsAt: new Date(now + request.properties.bakeSeconds * 1000).toISOString(),
        ClaimKey: claimKey,
      };
      await report({
        phase: 'START',
        stackId: request.stackId,
        target,
        claimKey,
        result: AlarmStateCheckResult.NOT_CHECKED,
        note: `baking until ${data.BakeEndsAt} for the ${start.status === 'CREATE_IN_PROGRESS' ? 'creation' : 'update'} that started at ${data.UpdateStartedAt}`,
      });
      return { PhysicalResourceId: physicalResourceId, Data: data };
    } catch (error) {
      return skip({ ...request, physicalResourceId }, AlarmStateCheckResult.FAULT, `the gate failed before its bake (${errorText(error)}); the update goes on unbaked`, target);
    }
  }

  async function isComplete(input: unknown): Promise<{ IsComplete: boolean }> {
    let request: BakeRequest;
    try {
      request = parseBakeRequest(input);
    } catch (error) {
      await report({ phase: 'TICK', stackId: looseFields(input).stackId, result: AlarmStateCheckResult.REJECTED, note: `the gate's request could not be read (${errorText(error)}); the bake ends` });
      return { IsComplete: true };
    }
    if (request.requestType === 'Delete' || request.data.Mode !== 'BAKE') {
      return { IsComplete: true };
    }
    const target = request.properties.target;
    const updateStartedAt = Date.parse(String(request.data.UpdateStartedAt));
    const bakeEndsAt = Date.parse(String(request.data.BakeEndsAt));
    const claimKey = typeof request.data.ClaimKey === 'string' ? request.data.ClaimKey : undefined;
    if (Number.isNaN(updateStartedAt) || Number.isNaN(bakeEndsAt) || claimKey === undefined) {
      await report({ phase: 'TICK', stackId: request.stackId, target, result: AlarmStateCheckResult.REJECTED, note: `onEvent's Data ${JSON.stringify(request.data)} could not be read; the bake ends` });
      return { IsComplete: true };
    }
    let decision: BakeDecision;
    try {
      const read = await deps.readAlarms(request.properties.alarmArns, request.properties.rules);
      decision = decideBake(read, request.properties.rules, { updateStartedAt, bakeEndsAt, now: deps.now() });
    } catch (error) {
      await report({ phase: 'TICK', stackId: request.stackId, target, claimKey, result: AlarmStateCheckResult.FAULT, note: `the gate failed during its bake (${errorText(error)}); the bake ends and the update goes on` });
      return { IsComplete: true };
    }
    if (decision.kind === 'WAIT') {
      // CloudFormation does not wait for a pending custom resource once the
      // update is cancelled, but the Provider framework's waiter goes on
      // polling (research/cloudformation-verify.md b5): end a bake whose
      // update is over, recording nothing, so a stale waiter neither polls
      // for up to an hour nor writes a second record for the update.
      const ended = await heldUpdateEnded(request.stackId, claimKey, updateStartedAt);
      if (ended !== undefined) {
        await report({ phase: 'TICK', stackId: request.stackId, target, claimKey, result: 'SKIPPED', note: `${ended}: the update this bake held is over, and so is the bake` });
        return { IsComplete: true };
      }
      return { IsComplete: false };
    }
    if (decision.kind === 'PASS') {
      await report({ phase: 'TICK', stackId: request.stackId, target, claimKey, result: decision.result, note: `the bake is over${decision.note ? `; ${decision.note}` : ''}` });
      return { IsComplete: true };
    }
    // Evidence against the update. Before failing, make sure there is still an
    // update to fail and take its claim, so one update gets one record; but
    // neither step, if it breaks, may hide the alarm: the gate fails anyway.
    const notes: string[] = [];
    try {
      const stack = await deps.readStack(request.stackId, deps.now());
      if (stack !== undefined && !HOLDABLE.has(latestStatus(stack))) {
        await report({ phase: 'TICK', stackId: request.stackId, target, claimKey, result: decision.result, outcome: RollbackOutcome.ALREADY_STOPPED, note: `${decision.reason}; the stack is already ${latestStatus(stack)}` });
        return { IsComplete: true };
      }
    } catch (error) {
      notes.push(`the stack's status could not be read (${errorText(error)})`);
    }
    let ours = true;
    try {
      ours = await deps.claimUpdate(claimKey, decision.reason, target);
    } catch (error) {
      notes.push(`the update's claim could not be taken (${errorText(error)})`);
    }
    const extra = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    await report({
      phase: 'TICK',
      stackId: request.stackId,
      target,
      claimKey,
      result: decision.result,
      outcome: ours ? RollbackOutcome.CANCEL_REQUESTED : RollbackOutcome.ALREADY_STOPPED,
      note: ours
        ? `${decision.reason}: the gate fails so CloudFormation rolls the update back${extra}`
        : `${decision.reason}; the alarm-event path holds the update's claim and cancels it${extra}`,
    });
    // Failing when the other path holds the claim is harmless: the stack rolls back either way.
    throw new BakeFailedError(`cdk-alarm-rollback bake gate: ${decision.reason}`);
  }

  /**
   * Why the update a bake holds is over, or undefined while the stack is
   * still in it. The stack's events are read back to the update's start, so
   * the newest start among them is the update in flight; a newer one than the
   * bake's means its update ended and another began (with a gate request of
   * its own). A read that fails keeps the bake going: the next poll reads
   * again, and the gate's own faults must not shorten a bake.
   */
  async function heldUpdateEnded(stackId: string, claimKey: string, updateStartedAt: number): Promise<string | undefined> {
    let stack: StackHistory | undefined;
    try {
      stack = await deps.readStack(stackId, updateStartedAt);
    } catch {
      return undefined;
    }
    if (stack === undefined) {
      return 'the stack no longer exists';
    }
    if (!HOLDABLE.has(latestStatus(stack))) {
      return `the stack is ${latestStatus(stack)}`;
    }
    const start = stack.transitions.find((t) => HOLDABLE.has(t.status));
    if (start !== undefined && claimKeyOf(stack.stack.stackId, start.at) !== claimKey) {
      return `a newer ${start.status} began at ${new Date(start.at).toISOString()}`;
    }
    return undefined;
  }

  return { onEvent, isComplete };
}

/** A stable physical ID: the gate keeps it on every Update, so CloudFormation never sees a replacement (and sends no Delete in cleanup). */
export function physicalIdOf(stackId: string, logicalResourceId: string): string {
  return `${stackId}/${logicalResourceId}`;
}

function looseFields(input: unknown): { stackId: string; physicalResourceId?: string; logicalResourceId?: string } {
  const event = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  return {
    stackId: typeof event.StackId === 'string' ? event.StackId : 'unknown',
    physicalResourceId: typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId !== '' ? event.PhysicalResourceId : undefined,
    logicalResourceId: typeof event.LogicalResourceId === 'string' ? event.LogicalResourceId : undefined,
  };
}
