import { StackStatus } from '@aws-sdk/client-cloudformation';
import * as fc from 'fast-check';
import { UnexpectedAnswerError } from '../../../../lambda/shared/errors';
import {
  CLOCK_SKEW_TOLERANCE_MS,
  STACK_STATUS_CLASS,
  StackHistory,
  StackTransition,
  claimKeyOf,
  decideStackAction,
  latestStatus,
  stackToActOn,
} from '../../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { RollbackOutcome } from '../../../../src/contract';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
const ALARM_AT = Date.parse('2026-11-20T14:03:10.109Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

let eventNumber = 0;
function event(status: string, at: number, token?: string): StackTransition {
  eventNumber += 1;
  return { eventId: `e-${eventNumber}`, status, at, token };
}

/** A stack whose events are given oldest first, as a story is told; the history lists them newest first, as DescribeStackEvents does. */
function history(now: string, ...oldestFirst: StackTransition[]): StackHistory {
  return { stack: { stackId: STACK_ID, stackName: 'web', status: now }, transitions: [...oldestFirst].reverse() };
}

const created = event('CREATE_COMPLETE', ALARM_AT - 60 * MINUTE);

/**
 * What the stack calls for when it has been in each status since well before
 * the alarm and nothing started since. Written out for every status, so a
 * status CloudFormation adds fails the completeness test below until it is
 * given a row.
 */
const STABLE_AT_ALARM: Record<string, string> = {
  CREATE_IN_PROGRESS: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  CREATE_FAILED: RollbackOutcome.ALREADY_STOPPED,
  CREATE_COMPLETE: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  ROLLBACK_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  ROLLBACK_FAILED: RollbackOutcome.ALREADY_STOPPED,
  ROLLBACK_COMPLETE: RollbackOutcome.ALREADY_STOPPED,
  DELETE_IN_PROGRESS: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  DELETE_FAILED: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  DELETE_COMPLETE: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  UPDATE_IN_PROGRESS: RollbackOutcome.CANCEL_REQUESTED,
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: RollbackOutcome.COMPLETED_BEFORE_STOP,
  UPDATE_COMPLETE: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  UPDATE_FAILED: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_FAILED: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_COMPLETE: RollbackOutcome.ALREADY_STOPPED,
  REVIEW_IN_PROGRESS: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  IMPORT_IN_PROGRESS: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  IMPORT_COMPLETE: RollbackOutcome.NO_ACTIVE_DEPLOYMENT,
  IMPORT_ROLLBACK_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  IMPORT_ROLLBACK_FAILED: RollbackOutcome.ALREADY_STOPPED,
  IMPORT_ROLLBACK_COMPLETE: RollbackOutcome.ALREADY_STOPPED,
};

/**
 * What the stack calls for when an update started before the alarm and left
 * UPDATE_IN_PROGRESS for this status after it: only the statuses an update
 * can go to (CloudFormation User Guide, "Stack status codes").
 */
const UPDATE_ENDED_AFTER_ALARM: Record<string, string> = {
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: RollbackOutcome.COMPLETED_BEFORE_STOP,
  UPDATE_COMPLETE: RollbackOutcome.COMPLETED_BEFORE_STOP,
  UPDATE_FAILED: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_FAILED: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: RollbackOutcome.ALREADY_STOPPED,
  UPDATE_ROLLBACK_COMPLETE: RollbackOutcome.ALREADY_STOPPED,
};

describe('decideStackAction: every stack status', () => {
  it('knows every status of the SDK\'s StackStatus enum, and no other', () => {
    expect(Object.keys(STACK_STATUS_CLASS).sort()).toEqual(Object.values(StackStatus).sort());
    expect(Object.keys(STABLE_AT_ALARM).sort()).toEqual(Object.values(StackStatus).sort());
  });

  it.each(Object.entries(STABLE_AT_ALARM))('a stack %s since before the alarm, with nothing started since, is %s', (status, outcome) => {
    const action = decideStackAction(history(status, created, event(status, ALARM_AT - 10 * MINUTE)), ALARM_AT, ALARM_AT + SECOND);

    expect(action.outcome).toBe(outcome);
    expect(action.kind).toBe(outcome === RollbackOutcome.CANCEL_REQUESTED ? 'CANCEL' : 'NONE');
  });

  it.each(Object.entries(UPDATE_ENDED_AFTER_ALARM))('an update in flight at the alarm that went on to %s is %s', (status, outcome) => {
    const start = event('UPDATE_IN_PROGRESS', ALARM_AT - 5 * MINUTE, 'cdk-deploy-1');
    const action = decideStackAction(history(status, created, start, event(status, ALARM_AT + MINUTE)), ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(action).toMatchObject({ kind: 'NONE', outcome, update: { startedAt: start.at, token: 'cdk-deploy-1' } });
  });

  it('refuses a status it does not know, naming it, rather than guess', () => {
    expect(() => decideStackAction(history('UPDATE_PAUSED', created), ALARM_AT, ALARM_AT))
      .toThrow(new UnexpectedAnswerError('CloudFormation reported stack web in status "UPDATE_PAUSED", which this handler does not know; upgrade cdk-alarm-rollback'));
  });
});

describe('decideStackAction: the update in flight at the alarm', () => {
  it('cancels the update that started before the alarm and is still UPDATE_IN_PROGRESS, under a claim on its start', () => {
    const start = event('UPDATE_IN_PROGRESS', ALARM_AT - 3 * MINUTE);
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created, start), ALARM_AT, ALARM_AT + SECOND);

    expect(action).toEqual({
      kind: 'CANCEL',
      outcome: RollbackOutcome.CANCEL_REQUESTED,
      reason: 'the update that started at 2026-11-20T14:00:10.109Z was in flight at the alarm (2026-11-20T14:03:10.109Z) and is still UPDATE_IN_PROGRESS',
      update: {
        stackId: STACK_ID,
        stackName: 'web',
        startedAt: start.at,
        startEventId: start.eventId,
        token: undefined,
        operationId: undefined,
        claimKey: `${STACK_ID}@2026-11-20T14:00:10.109Z`,
      },
    });
  });

  it('leaves an update that started after the alarm alone', () => {
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created, event('UPDATE_IN_PROGRESS', ALARM_AT + MINUTE)), ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(action).toEqual({
      kind: 'NONE',
      outcome: RollbackOutcome.STARTED_AFTER_ALARM,
      reason: 'the stack\'s UPDATE_IN_PROGRESS at 2026-11-20T14:04:10.109Z started after the alarm changed state at 2026-11-20T14:03:10.109Z; this event is no evidence against it',
    });
  });

  it('counts a stack created after the alarm as started after it', () => {
    const action = decideStackAction(history('CREATE_COMPLETE', event('CREATE_IN_PROGRESS', ALARM_AT + SECOND * 3), event('CREATE_COMPLETE', ALARM_AT + MINUTE)), ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
  });

  it('says the stack does not exist when it was not found', () => {
    expect(decideStackAction(undefined, ALARM_AT, ALARM_AT)).toEqual({ kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT, reason: 'the stack does not exist' });
  });

  it('treats an update that left UPDATE_IN_PROGRESS before the alarm as no longer in flight', () => {
    const action = decideStackAction(history('UPDATE_COMPLETE', created,
      event('UPDATE_IN_PROGRESS', ALARM_AT - 10 * MINUTE),
      event('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT - 8 * MINUTE),
      event('UPDATE_COMPLETE', ALARM_AT - 7 * MINUTE)), ALARM_AT, ALARM_AT);

    expect(action.outcome).toBe(RollbackOutcome.NO_ACTIVE_DEPLOYMENT);
  });

  it('records an update cleaning up at the alarm as completed before it could be stopped, naming its start', () => {
    const start = event('UPDATE_IN_PROGRESS', ALARM_AT - 10 * MINUTE);
    const action = decideStackAction(history('UPDATE_COMPLETE', created, start,
      event('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT - MINUTE),
      event('UPDATE_COMPLETE', ALARM_AT + MINUTE)), ALARM_AT, ALARM_AT + 2 * MINUTE);

    expect(action).toMatchObject({ kind: 'NONE', outcome: RollbackOutcome.COMPLETED_BEFORE_STOP, update: { claimKey: claimKeyOf(STACK_ID, start.at) } });
  });
});

describe('decideStackAction: late events', () => {
  it('judges a late event by the update in flight at the alarm, not by the update running now', () => {
    // The update in flight at the alarm completed; a second one, maybe the fix, runs now.
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created,
      event('UPDATE_IN_PROGRESS', ALARM_AT - 5 * MINUTE),
      event('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT + 2 * MINUTE),
      event('UPDATE_COMPLETE', ALARM_AT + 3 * MINUTE),
      event('UPDATE_IN_PROGRESS', ALARM_AT + 20 * MINUTE)), ALARM_AT, ALARM_AT + 30 * MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.COMPLETED_BEFORE_STOP);
    expect(action.reason).toContain('reached UPDATE_COMPLETE_CLEANUP_IN_PROGRESS at 2026-11-20T14:05:10.109Z');
  });

  it('leaves the update running now alone when the one in flight at the alarm was already rolled back', () => {
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created,
      event('UPDATE_IN_PROGRESS', ALARM_AT - 5 * MINUTE),
      event('UPDATE_ROLLBACK_IN_PROGRESS', ALARM_AT + MINUTE),
      event('UPDATE_ROLLBACK_COMPLETE', ALARM_AT + 4 * MINUTE),
      event('UPDATE_IN_PROGRESS', ALARM_AT + 20 * MINUTE)), ALARM_AT, ALARM_AT + 30 * MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('takes the end of the update from DescribeStacks when its events do not show it yet', () => {
    const action = decideStackAction(history('UPDATE_COMPLETE', created, event('UPDATE_IN_PROGRESS', ALARM_AT - 5 * MINUTE)), ALARM_AT, ALARM_AT + MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.COMPLETED_BEFORE_STOP);
    expect(action.reason).toContain('reached UPDATE_COMPLETE since');
  });

  it('refuses to guess when DescribeStacks shows an update its events do not show yet, so the event is retried', () => {
    expect(() => decideStackAction(history('UPDATE_IN_PROGRESS', created), ALARM_AT, ALARM_AT))
      .toThrow(UnexpectedAnswerError);
  });

  it('refuses events that do not reach back to the alarm', () => {
    expect(() => decideStackAction(history('UPDATE_COMPLETE', event('UPDATE_COMPLETE', ALARM_AT + MINUTE)), ALARM_AT, ALARM_AT + MINUTE))
      .toThrow('do not reach back to the alarm\'s time 2026-11-20T14:03:10.109Z');
  });

  it('refuses events out of order and an empty event list', () => {
    const shuffled: StackHistory = { stack: { stackId: STACK_ID, stackName: 'web', status: 'UPDATE_COMPLETE' }, transitions: [created, event('UPDATE_COMPLETE', ALARM_AT)] };
    expect(() => decideStackAction(shuffled, ALARM_AT, ALARM_AT)).toThrow('out of order');
    expect(() => decideStackAction(history('UPDATE_COMPLETE'), ALARM_AT, ALARM_AT)).toThrow('no stack-level events');
  });
});

/**
 * Deliveries racing on one update: DescribeStacks said UPDATE_IN_PROGRESS,
 * then another delivery's cancel (or the bake gate's failure, or the update's
 * end) landed before this one read the events, and DescribeStacks was read
 * again after them. `ended` is what the events show the update went on to.
 */
function raced(ended: string, statusAfterEvents: string | undefined, ...more: StackTransition[]): { history: StackHistory; start: StackTransition } {
  const start = event('UPDATE_IN_PROGRESS', ALARM_AT - 3 * MINUTE);
  const stack = history('UPDATE_IN_PROGRESS', created, start, event(ended, ALARM_AT + 30 * SECOND), ...more);
  return { history: { ...stack, statusAfterEvents }, start };
}

describe('decideStackAction: the reads racing another delivery', () => {
  it('records ALREADY_STOPPED, not a failure, when the events read after an UPDATE_IN_PROGRESS status already show the rollback', () => {
    const { history: read, start } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS');

    const action = decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE);

    expect(action).toEqual({
      kind: 'NONE',
      outcome: RollbackOutcome.ALREADY_STOPPED,
      update: expect.objectContaining({ startedAt: start.at, startEventId: start.eventId, claimKey: claimKeyOf(STACK_ID, start.at) }),
      reason: 'the update that started at 2026-11-20T14:00:10.109Z was in flight at the alarm (2026-11-20T14:03:10.109Z) and is already UPDATE_ROLLBACK_IN_PROGRESS',
    });
  });

  it.each(Object.entries(UPDATE_ENDED_AFTER_ALARM))('an update the first status read showed in progress, and the events then showed gone on to %s, is %s', (ended, outcome) => {
    const { history: read, start } = raced(ended, ended);

    expect(decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE)).toMatchObject({ kind: 'NONE', outcome, update: { claimKey: claimKeyOf(STACK_ID, start.at) } });
  });

  it('decides from the events when the status read after them has moved on further', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE');

    expect(decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE).outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('records ALREADY_STOPPED when the events show the rollback already complete', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE',
      event('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT + 2 * MINUTE),
      event('UPDATE_ROLLBACK_COMPLETE', ALARM_AT + 3 * MINUTE));

    expect(decideStackAction(read, ALARM_AT, ALARM_AT + 4 * MINUTE).outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('still refuses to guess when the status read after the events is UPDATE_IN_PROGRESS too: a newer update whose start the events do not show yet', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_IN_PROGRESS');

    expect(() => decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE)).toThrow('its events do not show the update\'s start yet');
  });

  it('refuses to guess when the status was not read again after the events', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', undefined);

    expect(() => decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE)).toThrow(UnexpectedAnswerError);
  });

  it('refuses a status read after the events that it does not know', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_PAUSED');

    expect(() => decideStackAction(read, ALARM_AT, ALARM_AT + MINUTE)).toThrow('"UPDATE_PAUSED", which this handler does not know');
  });

  it('takes the latest read as the stack\'s status', () => {
    const { history: read } = raced('UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS');

    expect(latestStatus(read)).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(latestStatus(history('UPDATE_IN_PROGRESS', created))).toBe('UPDATE_IN_PROGRESS');
  });
});

describe('decideStackAction: clock skew', () => {
  it('counts an update that started within the tolerance after the alarm as in flight', () => {
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created, event('UPDATE_IN_PROGRESS', ALARM_AT + CLOCK_SKEW_TOLERANCE_MS)), ALARM_AT, ALARM_AT + MINUTE);

    expect(action.kind).toBe('CANCEL');
  });

  it('leaves one that started just past the tolerance alone', () => {
    const action = decideStackAction(history('UPDATE_IN_PROGRESS', created, event('UPDATE_IN_PROGRESS', ALARM_AT + CLOCK_SKEW_TOLERANCE_MS + 1)), ALARM_AT, ALARM_AT + MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
  });

  it('counts an update that ended within the tolerance before the alarm as in flight at it', () => {
    const action = decideStackAction(history('UPDATE_COMPLETE', created,
      event('UPDATE_IN_PROGRESS', ALARM_AT - MINUTE),
      event('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ALARM_AT - CLOCK_SKEW_TOLERANCE_MS + 1),
      event('UPDATE_COMPLETE', ALARM_AT + SECOND)), ALARM_AT, ALARM_AT + MINUTE);

    expect(action.outcome).toBe(RollbackOutcome.COMPLETED_BEFORE_STOP);
    expect(action.reason).toContain('was in flight at the alarm');
  });

  it('takes an alarm time ahead of the handler\'s clock as the moment the event was received', () => {
    // The alarm claims a time 10 minutes after the event arrived: an update that began in between is no evidence.
    const stack = history('UPDATE_IN_PROGRESS', created, event('UPDATE_IN_PROGRESS', ALARM_AT + 5 * MINUTE));

    expect(decideStackAction(stack, ALARM_AT + 10 * MINUTE, ALARM_AT).outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
  });

  it('matches, for every update and alarm time, the rule "cancel what started by the alarm and is still running"', () => {
    fc.assert(fc.property(
      fc.integer({ min: -30 * MINUTE, max: 30 * MINUTE }),
      fc.option(fc.integer({ min: 1, max: 30 * MINUTE }), { nil: undefined }),
      fc.integer({ min: -MINUTE, max: MINUTE }),
      fc.constantFrom('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_FAILED'),
      (startOffset, duration, lateBy, endStatus) => {
        const start = event('UPDATE_IN_PROGRESS', ALARM_AT + startOffset);
        const events = duration === undefined ? [created, start] : [created, start, event(endStatus, start.at + duration)];
        const now = duration === undefined ? 'UPDATE_IN_PROGRESS' : endStatus;
        const receivedAt = ALARM_AT + Math.max(0, lateBy);
        const action = decideStackAction(history(now, ...events), ALARM_AT, receivedAt);
        const startedByAlarm = start.at <= ALARM_AT + CLOCK_SKEW_TOLERANCE_MS;
        expect(action.kind === 'CANCEL').toBe(startedByAlarm && duration === undefined);
        if (!startedByAlarm) {
          expect(action.outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
        }
        // A skewed alarm time decides as the receipt time does.
        const skewed = decideStackAction(history(now, ...events), receivedAt + MINUTE, receivedAt);
        expect(skewed).toEqual(decideStackAction(history(now, ...events), receivedAt, receivedAt));
      },
    ));
  });
});

describe('nested stacks', () => {
  it('acts on the root of a nested stack, and on a root stack itself', () => {
    expect(stackToActOn({ stackId: 'arn:child', rootId: 'arn:root' })).toBe('arn:root');
    expect(stackToActOn({ stackId: 'arn:root' })).toBe('arn:root');
  });

  it('refuses to decide on a nested stack, whose update is its root\'s', () => {
    const nested: StackHistory = {
      stack: { stackId: 'arn:child', stackName: 'web-Child', status: 'UPDATE_IN_PROGRESS', rootId: 'arn:root', parentId: 'arn:root' },
      transitions: [created],
    };

    expect(() => decideStackAction(nested, ALARM_AT, ALARM_AT)).toThrow('decide on its root stack');
  });
});
