import { RollbackOutcome, stackUpdateId } from '../../../src/contract';
import { UnexpectedAnswerError } from '../../shared/errors';

/**
 * How far apart two AWS clocks may be read and still count as one moment.
 * The alarm's time comes from CloudWatch, the update's start from
 * CloudFormation's stack events; neither is the handler's clock. Within this
 * margin an update counts as in flight at the alarm: the side a rollback errs
 * on, as the AppConfig decision counts a deployment without a start time as
 * in flight. No update started by a person fixing the alarm starts within two
 * seconds of it.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 2_000;

/**
 * The stack statuses of CloudFormation's `StackStatus` enum (botocore
 * cloudformation 2010-05-15, 23 values), each with what it means for an
 * update that reached it. A status missing here is one this handler does not
 * know: the decision refuses it rather than guess.
 */
export const STACK_STATUS_CLASS = {
  /** The only status CancelUpdateStack accepts (CancelUpdateStack API reference). */
  UPDATE_IN_PROGRESS: 'RUNNING',
  /**
   * Every resource is updated and CloudFormation deletes the replaced ones;
   * no rollback starts from here any more (aws-cdk docs/CLOUDFORMATION.md,
   * update phases), so the update can no longer be cancelled.
   */
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'COMPLETED',
  UPDATE_COMPLETE: 'COMPLETED',
  /** Rolling back or rolled back, by a cancel, a failure or a rollback trigger. */
  UPDATE_ROLLBACK_IN_PROGRESS: 'STOPPED',
  UPDATE_ROLLBACK_FAILED: 'STOPPED',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'STOPPED',
  UPDATE_ROLLBACK_COMPLETE: 'STOPPED',
  /** A failed update paused by `--disable-rollback` (RollbackStack API reference): stopped, waiting for a rollback. */
  UPDATE_FAILED: 'STOPPED',
  /** A failed creation rolling back, rolled back, or paused. */
  ROLLBACK_IN_PROGRESS: 'STOPPED',
  ROLLBACK_FAILED: 'STOPPED',
  ROLLBACK_COMPLETE: 'STOPPED',
  CREATE_FAILED: 'STOPPED',
  IMPORT_ROLLBACK_IN_PROGRESS: 'STOPPED',
  IMPORT_ROLLBACK_FAILED: 'STOPPED',
  IMPORT_ROLLBACK_COMPLETE: 'STOPPED',
  /**
   * Operations that are not updates: CancelUpdateStack refuses them, and
   * CloudFormation has no other cancel for a creation, an import or a
   * deletion. A stack in REVIEW_IN_PROGRESS holds only a change set.
   */
  CREATE_IN_PROGRESS: 'OTHER',
  CREATE_COMPLETE: 'OTHER',
  IMPORT_IN_PROGRESS: 'OTHER',
  IMPORT_COMPLETE: 'OTHER',
  DELETE_IN_PROGRESS: 'OTHER',
  DELETE_FAILED: 'OTHER',
  DELETE_COMPLETE: 'OTHER',
  REVIEW_IN_PROGRESS: 'OTHER',
} as const;

export type StackStatusName = keyof typeof STACK_STATUS_CLASS;
type StatusClass = typeof STACK_STATUS_CLASS[StackStatusName];

/** Statuses that begin a stack operation: what "started after the alarm" looks for. */
const OPERATION_STARTS = new Set<string>(['UPDATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'IMPORT_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'REVIEW_IN_PROGRESS']);

/** What DescribeStacks says of the stack now. */
export interface StackView {
  readonly stackId: string;
  readonly stackName: string;
  readonly status: string;
  /** The stack's immediate parent, for a nested stack (DescribeStacks `ParentId`). */
  readonly parentId?: string;
  /** The top-level stack of a nesting tree, for a nested stack (DescribeStacks `RootId`). */
  readonly rootId?: string;
}

/** One stack-level event: the stack itself changing status (DescribeStackEvents, ResourceType AWS::CloudFormation::Stack). */
export interface StackTransition {
  readonly eventId: string;
  readonly status: string;
  /** The event's Timestamp, in epoch milliseconds. */
  readonly at: number;
  /** The operation's ClientRequestToken, when its caller passed one. */
  readonly token?: string;
  /** The operation's ID, when CloudFormation reports one (StackEvent `OperationId`). */
  readonly operationId?: string;
}

/** The stack and its stack-level events, newest first, back to the first one before the alarm's time (or the stack's first). */
export interface StackHistory {
  /** DescribeStacks, read before the events. */
  readonly stack: StackView;
  readonly transitions: readonly StackTransition[];
  /**
   * The stack's status from DescribeStacks read again after the events, when
   * the first read said UPDATE_IN_PROGRESS and the newest stack-level event
   * says the stack has left it: another delivery's cancel, the bake gate's
   * failure or the update's end landed between the two reads.
   */
  readonly statusAfterEvents?: string;
}

/**
 * The stack's status as its latest read shows it. The reads are not one
 * snapshot: DescribeStacks comes first and the events after it, so while
 * deliveries race on one update, the events may already show the rollback
 * another's cancel started. The status read after them is the truth then,
 * as a refused AppConfig StopDeployment is settled by reading the deployment
 * again.
 */
export function latestStatus(history: StackHistory): string {
  return history.statusAfterEvents ?? history.stack.status;
}

/** The update the decision is about, and the claim its one action is taken under. */
export interface StackUpdate {
  readonly stackId: string;
  readonly stackName: string;
  /** When the update entered UPDATE_IN_PROGRESS, epoch ms. */
  readonly startedAt: number;
  readonly startEventId: string;
  readonly token?: string;
  readonly operationId?: string;
  /**
   * The update's claim key: the stack ID and the update's start. Both the
   * alarm-event path and the bake gate read them from the same stack-level
   * event, so one update has one claim whichever path acts first.
   */
  readonly claimKey: string;
}

export type StackAction =
  | { readonly kind: 'CANCEL'; readonly outcome: RollbackOutcome.CANCEL_REQUESTED; readonly reason: string; readonly update: StackUpdate }
  | {
    readonly kind: 'NONE';
    readonly outcome:
    | RollbackOutcome.ALREADY_STOPPED
    | RollbackOutcome.NO_ACTIVE_DEPLOYMENT
    | RollbackOutcome.STARTED_AFTER_ALARM
    | RollbackOutcome.COMPLETED_BEFORE_STOP;
    readonly reason: string;
    readonly update?: StackUpdate;
  };

/** The stack-level events' resource type (CloudFormation User Guide, stack events). */
export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

/**
 * The stack an action on `stack` goes to: its root when it is nested.
 * CloudFormation's guide says to run stack operations on the root of a
 * nesting tree ("Nested stacks", User Guide), and ContinueUpdateRollback's
 * reference says not to pass a nested stack; a nested stack's update is part
 * of its root's update, so cancelling the root rolls the child back with it.
 */
export function stackToActOn(stack: Pick<StackView, 'stackId' | 'rootId'>): string {
  return stack.rootId !== undefined && stack.rootId !== '' ? stack.rootId : stack.stackId;
}

export function claimKeyOf(stackId: string, startedAt: number): string {
  return stackUpdateId(stackId, startedAt);
}

/**
 * What the stack calls for, judged at the alarm's time. Pure, so every row of
 * the table is tested alone.
 *
 * The event is evidence against the update in flight when the alarm changed
 * state: the one that entered UPDATE_IN_PROGRESS at or before that moment and
 * had not left it. It is judged from the stack's own events, not from its
 * status now, so a late or retried event decides as it would have on time.
 *
 * `alarmAt` is the alarm's state-change time; `receivedAt` is when the handler
 * got the event. A state change ahead of the handler's clock is clock skew, so
 * the alarm's time is taken as no later than the receipt. Both ends of the
 * update's time in UPDATE_IN_PROGRESS are widened by `skewMs`.
 *
 * Deliveries race: the start gate, the bake gate and any number of alarm
 * events may act on one update at once. An update the reads show already
 * rolling back, or rolled back, is ALREADY_STOPPED whichever read shows it
 * (the first status, the events, or the status read again after them); one
 * they show completed is COMPLETED_BEFORE_STOP. A race between the reads is
 * not a failure, so it is never recorded as FAILED.
 */
export function decideStackAction(
  history: StackHistory | undefined,
  alarmAt: number,
  receivedAt: number,
  skewMs: number = CLOCK_SKEW_TOLERANCE_MS,
): StackAction {
  if (history === undefined) {
    return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: 'the stack does not exist' };
  }
  const { stack } = history;
  if (stackToActOn(stack) !== stack.stackId) {
    throw new Error(`stack ${stack.stackName} is nested in ${stack.rootId}; decide on its root stack, whose update it is part of`);
  }
  classOf(stack.status, stack.stackName);
  const statusNow = latestStatus(history);
  classOf(statusNow, stack.stackName);
  const transitions = [...history.transitions];
  for (const transition of transitions) {
    classOf(transition.status, stack.stackName);
  }
  if (transitions.length === 0) {
    throw new UnexpectedAnswerError(`CloudFormation returned no stack-level events for stack ${stack.stackName}; every stack has at least the one of its creation`);
  }
  for (let i = 1; i < transitions.length; i++) {
    if (transitions[i].at > transitions[i - 1].at) {
      throw new UnexpectedAnswerError(`CloudFormation returned the events of stack ${stack.stackName} out of order; DescribeStackEvents lists them newest first`);
    }
  }
  if (statusNow === 'UPDATE_IN_PROGRESS' && transitions[0].status !== 'UPDATE_IN_PROGRESS') {
    // The events are newer than the first status read, and `statusNow` was read
    // again after them when they disagreed: an update in progress in the
    // latest read is one whose start the events do not show yet, so its
    // claim is unknown. An update the events show ended since the first read
    // is decided from them below, never here.
    throw new UnexpectedAnswerError(`stack ${stack.stackName} is UPDATE_IN_PROGRESS but its events do not show the update's start yet; the event is retried`);
  }

  const at = Math.min(alarmAt, receivedAt);
  const when = iso(at);

  // The newest update start within the widened window, and how it ended.
  const startIndex = transitions.findIndex((t) => t.status === 'UPDATE_IN_PROGRESS' && t.at <= at + skewMs);
  if (startIndex >= 0) {
    const start = transitions[startIndex];
    const end = startIndex > 0 ? transitions[startIndex - 1] : undefined;
    const endStatus = end?.status ?? (statusNow === 'UPDATE_IN_PROGRESS' ? undefined : statusNow);
    const endedBeforeAlarm = end !== undefined && end.at <= at - skewMs;
    if (!endedBeforeAlarm) {
      const update = updateOf(stack, start);
      if (endStatus === undefined) {
        return { kind: 'CANCEL', outcome: RollbackOutcome.CANCEL_REQUESTED, update, reason: `the update that started at ${iso(start.at)} was in flight at the alarm (${when}) and is still UPDATE_IN_PROGRESS` };
      }
      const ended = end === undefined ? 'since' : `at ${iso(end.at)}`;
      switch (classOf(endStatus, stack.stackName)) {
        case 'COMPLETED':
          return {
            kind: 'NONE',
            outcome: RollbackOutcome.COMPLETED_BEFORE_STOP,
            update,
            reason: `the update that started at ${iso(start.at)} was in flight at the alarm (${when}) but reached ${endStatus} ${ended}; CloudFormation cannot cancel or revert it any more: deploy the previous version`,
          };
        case 'STOPPED':
          return { kind: 'NONE', outcome: RollbackOutcome.ALREADY_STOPPED, update, reason: `the update that started at ${iso(start.at)} was in flight at the alarm (${when}) and is already ${endStatus}` };
        default:
          return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, update, reason: `the update that started at ${iso(start.at)} went on to ${endStatus}, which leaves nothing to cancel` };
      }
    }
  }

  // No update was in flight at the alarm: one that started later is no evidence.
  const later = transitions.filter((t) => t.at > at && OPERATION_STARTS.has(t.status));
  if (later.length > 0) {
    const first = later[later.length - 1];
    return {
      kind: 'NONE',
      outcome: RollbackOutcome.STARTED_AFTER_ALARM,
      reason: `the stack's ${first.status} at ${iso(first.at)} started after the alarm changed state at ${when}; this event is no evidence against it`,
    };
  }
  const before = transitions.find((t) => t.at <= at);
  if (before === undefined) {
    // Every event is after the alarm but none starts an operation: the read
    // stopped before reaching the alarm's time.
    throw new UnexpectedAnswerError(`the events read for stack ${stack.stackName} do not reach back to the alarm's time ${when}`);
  }
  const status = before.status;
  switch (classOf(status, stack.stackName)) {
    case 'COMPLETED':
      if (status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
        const start = transitions.find((t) => t.status === 'UPDATE_IN_PROGRESS' && t.at <= before.at);
        return {
          kind: 'NONE',
          outcome: RollbackOutcome.COMPLETED_BEFORE_STOP,
          update: start && updateOf(stack, start),
          reason: `at the alarm (${when}) the stack's update was cleaning up (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS since ${iso(before.at)}): its resources were all updated and it could no longer be cancelled`,
        };
      }
      return { kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: `the stack was ${status} since ${iso(before.at)}, before the alarm changed state at ${when}` };
    case 'STOPPED':
      return { kind: 'NONE', outcome: RollbackOutcome.ALREADY_STOPPED, reason: `the stack's last operation was already ${status} at ${iso(before.at)}, before the alarm changed state at ${when}` };
    default:
      return {
        kind: 'NONE',
        outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
        reason: `the stack was ${status} at the alarm (${when}); CancelUpdateStack cancels only updates in UPDATE_IN_PROGRESS`,
      };
  }
}

/** Whether a status is one of the COMPLETED class: the update's resources all updated, so it can no longer be cancelled. */
export function isCompletedStatus(status: string): boolean {
  return (STACK_STATUS_CLASS as Record<string, StatusClass | undefined>)[status] === 'COMPLETED';
}

/** Whether a status is one of the STOPPED class: rolling back, rolled back or paused after a failure. */
export function isStoppedStatus(status: string): boolean {
  return (STACK_STATUS_CLASS as Record<string, StatusClass | undefined>)[status] === 'STOPPED';
}

function classOf(status: string, stackName: string): StatusClass {
  const known = (STACK_STATUS_CLASS as Record<string, StatusClass | undefined>)[status];
  if (known === undefined) {
    throw new UnexpectedAnswerError(`CloudFormation reported stack ${stackName} in status ${JSON.stringify(status)}, which this handler does not know; upgrade cdk-alarm-rollback`);
  }
  return known;
}

function updateOf(stack: StackView, start: StackTransition): StackUpdate {
  return {
    stackId: stack.stackId,
    stackName: stack.stackName,
    startedAt: start.at,
    startEventId: start.eventId,
    token: start.token,
    operationId: start.operationId,
    claimKey: claimKeyOf(stack.stackId, start.at),
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
