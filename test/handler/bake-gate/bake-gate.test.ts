import { BakeFailedError, BakeGateDependencies, BakeReport, createBakeGate, physicalIdOf } from '../../../lambda/bake-gate/bake-gate';
import { BakeAlarm, BakeAlarmRead, decideBake } from '../../../lambda/bake-gate/decide-bake';
import { StackHistory } from '../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { AlarmReadFailure, AlarmStateCheckResult, BakeGateProperty, RollbackOutcome } from '../../../src/contract';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
const ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx';
const UPDATE_AT = Date.parse('2026-11-20T14:00:00.000Z');
const GATE_AT = UPDATE_AT + 4 * 60_000;
const BAKE_SECONDS = 600;
const CLAIM = `${STACK_ID}@2026-11-20T14:00:00.000Z`;

function properties(hash: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider-onEvent',
    [BakeGateProperty.TEMPLATE_HASH]: hash,
    [BakeGateProperty.BAKE_SECONDS]: String(BAKE_SECONDS),
    [BakeGateProperty.TARGET]: 'App/Rollback/web',
    [BakeGateProperty.ALARM_ARNS]: [ALARM_ARN],
    [BakeGateProperty.TRIGGER_STATES]: ['ALARM'],
    [BakeGateProperty.ACT_ON_PAUSED_ALARMS]: 'false',
    [BakeGateProperty.BLOCK_START]: 'false',
    [BakeGateProperty.ALARM_READ_FAILURE]: AlarmReadFailure.ROLL_BACK,
    ...overrides,
  };
}

/** The request CloudFormation sends (User Guide, "Custom resource request types"), as the Provider framework passes it on. */
function request(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): Record<string, unknown> {
  return {
    RequestType: type,
    ServiceToken: props.ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/...',
    StackId: STACK_ID,
    RequestId: 'a4c1d5f0-1111-2222-3333-444455556666',
    LogicalResourceId: 'BakeGate',
    ResourceType: 'Custom::AlarmRollbackBakeGate',
    ResourceProperties: props,
    ...type === 'Create' ? {} : { PhysicalResourceId: physicalIdOf(STACK_ID, 'BakeGate') },
    ...old ? { OldResourceProperties: old } : {},
  };
}

function stack(status: string, startStatus = 'UPDATE_IN_PROGRESS'): StackHistory {
  return {
    stack: { stackId: STACK_ID, stackName: 'web', status },
    transitions: [{ eventId: 'e-2', status: startStatus, at: UPDATE_AT }, { eventId: 'e-1', status: 'CREATE_COMPLETE', at: UPDATE_AT - 86_400_000 }],
  };
}

function alarm(state: string, enteredStateAt: number | undefined, overrides: Partial<BakeAlarm> = {}): BakeAlarm {
  return { name: 'web-5xx', state, enteredStateAt, actionsEnabled: true, ...overrides };
}

interface HarnessOptions {
  readonly status?: string;
  readonly read?: BakeAlarmRead | Error;
  readonly claim?: boolean | Error;
  readonly stack?: () => Promise<StackHistory | undefined>;
}

function harness(options: HarnessOptions = {}) {
  let now = GATE_AT;
  const reports: BakeReport[] = [];
  const claims: string[] = [];
  const deps: BakeGateDependencies = {
    now: () => now,
    readStack: options.stack ?? (async () => stack(options.status ?? 'UPDATE_IN_PROGRESS')),
    readAlarms: async () => {
      if (options.read instanceof Error) throw options.read;
      return options.read ?? { ok: true, alarms: [alarm('OK', UPDATE_AT - 3_600_000)], missing: [], elsewhere: [] };
    },
    claimUpdate: async (key) => {
      claims.push(key);
      if (options.claim instanceof Error) throw options.claim;
      return options.claim ?? true;
    },
    report: async (report) => {
      reports.push(report);
    },
  };
  return { gate: createBakeGate(deps), reports, claims, advance: (ms: number) => { now += ms; } };
}

/** onEvent, then isComplete with what onEvent answered, as the Provider framework does. */
async function started(h: ReturnType<typeof harness>, event: Record<string, unknown>) {
  const answer = await h.gate.onEvent(event);
  return { answer, poll: () => h.gate.isComplete({ ...event, PhysicalResourceId: answer.PhysicalResourceId, Data: answer.Data }) };
}

describe('bake gate: requests that start a bake', () => {
  it('starts a bake on Create, from the creation\'s start, with a stable physical ID', async () => {
    const h = harness({ stack: async () => stack('CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS') });

    const answer = await h.gate.onEvent(request('Create', properties('h1')));

    expect(answer).toEqual({
      PhysicalResourceId: `${STACK_ID}/BakeGate`,
      Data: { Mode: 'BAKE', UpdateStartedAt: '2026-11-20T14:00:00.000Z', BakeEndsAt: '2026-11-20T14:14:00.000Z', ClaimKey: CLAIM },
    });
    expect(h.reports[0]).toMatchObject({ phase: 'START', result: AlarmStateCheckResult.NOT_CHECKED, claimKey: CLAIM });
  });

  it('starts a bake on an Update whose template hash changed, and keeps the physical ID', async () => {
    const h = harness();

    const answer = await h.gate.onEvent(request('Update', properties('h2'), properties('h1')));

    expect(answer.PhysicalResourceId).toBe(physicalIdOf(STACK_ID, 'BakeGate'));
    expect(answer.Data.Mode).toBe('BAKE');
  });

  it('reads the properties as CloudFormation sends them (strings) and as the template wrote them (number, boolean)', async () => {
    const h = harness();

    const answer = await h.gate.onEvent(request('Update', properties('h2', { [BakeGateProperty.BAKE_SECONDS]: 60, [BakeGateProperty.BLOCK_START]: true }), properties('h1')));

    expect(answer.Data).toMatchObject({ Mode: 'BAKE', BakeEndsAt: '2026-11-20T14:05:00.000Z' });
  });

  it('does not bake an Update where only the gate\'s own settings changed', async () => {
    const h = harness();

    const answer = await h.gate.onEvent(request('Update', properties('h1', { [BakeGateProperty.BAKE_SECONDS]: '900' }), properties('h1')));

    expect(answer.Data).toEqual({ Mode: 'SKIP' });
  });
});

describe('bake gate: requests that succeed at once', () => {
  it('answers CloudFormation\'s rollback Update (old and new properties swapped) at once', async () => {
    const h = harness({ status: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    const { answer, poll } = await started(h, request('Update', properties('h1'), properties('h2')));

    expect(answer).toEqual({ PhysicalResourceId: physicalIdOf(STACK_ID, 'BakeGate'), Data: { Mode: 'SKIP' } });
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports[0].note).toBe('the stack is UPDATE_ROLLBACK_IN_PROGRESS: a rollback is not baked');
  });

  it('answers Delete at once, without reading anything, even with broken properties', async () => {
    const h = harness({ stack: () => Promise.reject(new Error('must not be read')) });
    const { answer, poll } = await started(h, request('Delete', { ServiceToken: 'x' }));

    expect(answer.Data).toEqual({ Mode: 'SKIP' });
    await expect(poll()).resolves.toEqual({ IsComplete: true });
  });
});

describe('bake gate: polls', () => {
  it('waits while the alarms are quiet, and succeeds when the bake time is up', async () => {
    const h = harness();
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    await expect(poll()).resolves.toEqual({ IsComplete: false });
    h.advance(BAKE_SECONDS * 1000);
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports.at(-1)).toMatchObject({ phase: 'TICK', result: AlarmStateCheckResult.OK, note: 'the bake is over' });
    expect(h.claims).toEqual([]);
  });

  it('does not fail the update for an alarm firing since before it started, which it may fix', async () => {
    const h = harness({ read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT - 600_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    h.advance(BAKE_SECONDS * 1000);
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports.at(-1)?.note).toContain('firing since before the update, which may be its fix: web-5xx (ALARM since 2026-11-20T13:50:00.000Z');
  });

  it('fails the update, under the update\'s claim, for an alarm that entered ALARM during it', async () => {
    const h = harness({ read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    await expect(poll()).rejects.toThrow(new BakeFailedError('cdk-alarm-rollback bake gate: alarm web-5xx entered a trigger state after the update started'));
    expect(h.claims).toEqual([CLAIM]);
    expect(h.reports.at(-1)).toMatchObject({ result: AlarmStateCheckResult.FIRING, outcome: RollbackOutcome.CANCEL_REQUESTED, claimKey: CLAIM });
  });

  it('fails for an alarm firing since before the update when the start gate is on', async () => {
    const h = harness({ read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT - 600_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2', { [BakeGateProperty.BLOCK_START]: 'true' }), properties('h1')));

    await expect(poll()).rejects.toThrow(BakeFailedError);
  });

  it('records ALREADY_STOPPED, and still fails, when the alarm-event path holds the claim', async () => {
    const h = harness({ claim: false, read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    await expect(poll()).rejects.toThrow(BakeFailedError);
    expect(h.reports.at(-1)?.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('fails even when the claim cannot be taken: a broken ledger must not hide an alarm', async () => {
    const h = harness({ claim: new Error('ledger down'), read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    await expect(poll()).rejects.toThrow(BakeFailedError);
    expect(h.reports.at(-1)?.note).toContain('the update\'s claim could not be taken (Error: ledger down)');
  });

  it('ends the bake when the stack is no longer in its update (cancelled by the event path meanwhile)', async () => {
    let status = 'UPDATE_IN_PROGRESS';
    const h = harness({ stack: async () => stack(status), read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));
    status = 'UPDATE_ROLLBACK_IN_PROGRESS';

    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.claims).toEqual([]);
    expect(h.reports.at(-1)?.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('takes the stack\'s latest read: an UPDATE_IN_PROGRESS status whose events, and a read after them, show the event path\'s cancel already landed', async () => {
    let raced = false;
    const h = harness({
      stack: async () => raced
        ? {
          stack: { stackId: STACK_ID, stackName: 'web', status: 'UPDATE_IN_PROGRESS' },
          transitions: [{ eventId: 'e-3', status: 'UPDATE_ROLLBACK_IN_PROGRESS', at: GATE_AT + 30_000 }, ...stack('UPDATE_IN_PROGRESS').transitions],
          statusAfterEvents: 'UPDATE_ROLLBACK_IN_PROGRESS',
        }
        : stack('UPDATE_IN_PROGRESS'),
      read: { ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] },
    });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));
    raced = true;

    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.claims).toEqual([]);
    expect(h.reports.at(-1)).toMatchObject({ outcome: RollbackOutcome.ALREADY_STOPPED, note: expect.stringContaining('the stack is already UPDATE_ROLLBACK_IN_PROGRESS') });
  });

  it('ends a quiet bake at the next poll once its update is over, recording nothing: a stale waiter stops polling', async () => {
    let history: StackHistory | undefined = stack('UPDATE_IN_PROGRESS');
    const h = harness({ stack: async () => history });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));
    await expect(poll()).resolves.toEqual({ IsComplete: false });

    history = stack('UPDATE_ROLLBACK_IN_PROGRESS');
    await expect(poll()).resolves.toEqual({ IsComplete: true });

    expect(h.claims).toEqual([]);
    const last = h.reports.at(-1);
    expect(last).toMatchObject({ phase: 'TICK', result: 'SKIPPED', claimKey: CLAIM });
    expect(last?.outcome).toBeUndefined();
    expect(last?.note).toContain('the stack is UPDATE_ROLLBACK_IN_PROGRESS: the update this bake held is over');
  });

  it('ends a quiet bake whose update was followed by a newer one, and when its stack is gone', async () => {
    let history: StackHistory | undefined = stack('UPDATE_IN_PROGRESS');
    const h = harness({ stack: async () => history });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));
    history = {
      stack: { stackId: STACK_ID, stackName: 'web', status: 'UPDATE_IN_PROGRESS' },
      transitions: [
        { eventId: 'e-4', status: 'UPDATE_IN_PROGRESS', at: UPDATE_AT + 20 * 60_000 },
        { eventId: 'e-3', status: 'UPDATE_ROLLBACK_COMPLETE', at: UPDATE_AT + 10 * 60_000 },
        ...stack('UPDATE_IN_PROGRESS').transitions,
      ],
    };

    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports.at(-1)?.note).toContain('a newer UPDATE_IN_PROGRESS began at 2026-11-20T14:20:00.000Z');

    history = undefined;
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports.at(-1)?.note).toContain('the stack no longer exists');
  });

  it('keeps a quiet bake going when its stack cannot be read: the gate\'s own faults never shorten a bake', async () => {
    let fail = false;
    const h = harness({ stack: async () => { if (fail) throw new Error('Throttling'); return stack('UPDATE_IN_PROGRESS'); } });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));
    fail = true;

    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  it('follows the read-failure policy when the alarms are unreadable: ROLL_BACK fails, CONTINUE bakes on', async () => {
    const unreadable: BakeAlarmRead = { ok: false, error: 'ThrottlingException: Rate exceeded' };
    const strict = harness({ read: unreadable });
    const lenient = harness({ read: unreadable });
    const a = await started(strict, request('Update', properties('h2'), properties('h1')));
    const b = await started(lenient, request('Update', properties('h2', { [BakeGateProperty.ALARM_READ_FAILURE]: 'CONTINUE' }), properties('h1')));

    await expect(a.poll()).rejects.toThrow('the alarms could not be read (ThrottlingException: Rate exceeded); the read-failure policy is ROLL_BACK');
    await expect(b.poll()).resolves.toEqual({ IsComplete: false });
  });
});

describe('bake gate: its own defects succeed, loudly', () => {
  it('succeeds at once on properties it cannot read, reporting REJECTED', async () => {
    const h = harness();
    const { answer, poll } = await started(h, request('Update', properties('h2', { [BakeGateProperty.BAKE_SECONDS]: '7200' }), properties('h1')));

    expect(answer.Data).toEqual({ Mode: 'SKIP' });
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports[0]).toMatchObject({ result: AlarmStateCheckResult.REJECTED });
    expect(h.reports[0].note).toContain('BakeSeconds is "7200"; it must be whole seconds from 1 to 3300');
  });

  it('goes on unbaked when its stack cannot be read at the start, reporting FAULT', async () => {
    const h = harness({ stack: () => Promise.reject(new Error('AccessDenied')) });

    const answer = await h.gate.onEvent(request('Update', properties('h2'), properties('h1')));

    expect(answer.Data).toEqual({ Mode: 'SKIP' });
    expect(h.reports[0]).toMatchObject({ result: AlarmStateCheckResult.FAULT });
  });

  it('ends the bake when the read itself throws, reporting FAULT', async () => {
    const h = harness({ read: new Error('boom') });
    const { poll } = await started(h, request('Update', properties('h2'), properties('h1')));

    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(h.reports.at(-1)).toMatchObject({ result: AlarmStateCheckResult.FAULT });
  });

  it('ends the bake on Data it cannot read, and answers a request that is not one', async () => {
    const h = harness();

    await expect(h.gate.isComplete({ ...request('Update', properties('h2'), properties('h1')), Data: { Mode: 'BAKE', BakeEndsAt: 'soon' } })).resolves.toEqual({ IsComplete: true });
    await expect(h.gate.isComplete('not a request')).resolves.toEqual({ IsComplete: true });
    await expect(h.gate.onEvent({ RequestType: 'Poke', StackId: STACK_ID, LogicalResourceId: 'BakeGate' })).resolves.toMatchObject({ Data: { Mode: 'SKIP' } });
    expect(h.reports.map((r) => r.result)).toEqual([AlarmStateCheckResult.REJECTED, AlarmStateCheckResult.REJECTED, AlarmStateCheckResult.REJECTED]);
  });

  it('never lets a report it cannot write fail the update or hide an alarm', async () => {
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const gate = createBakeGate({
      now: () => GATE_AT,
      readStack: async () => stack('UPDATE_IN_PROGRESS'),
      readAlarms: async () => ({ ok: true, alarms: [alarm('ALARM', UPDATE_AT + 60_000)], missing: [], elsewhere: [] }),
      claimUpdate: async () => true,
      report: () => Promise.reject(new Error('log sink down')),
    });
    try {
      const answer = await gate.onEvent(request('Update', properties('h2'), properties('h1')));
      expect(answer.Data.Mode).toBe('BAKE');
      await expect(gate.isComplete({ ...request('Update', properties('h2'), properties('h1')), Data: answer.Data })).rejects.toThrow(BakeFailedError);
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
    }
  });
});

describe('decideBake', () => {
  const rules = { triggerStates: ['ALARM'], actOnPausedAlarms: false, blockStart: false, alarmReadFailure: AlarmReadFailure.ROLL_BACK };
  const times = { updateStartedAt: UPDATE_AT, bakeEndsAt: GATE_AT + 600_000, now: GATE_AT };
  const read = (...alarms: BakeAlarm[]): BakeAlarmRead => ({ ok: true, alarms, missing: [], elsewhere: [] });

  it.each([
    ['an alarm OK', 'WAIT', alarm('OK', UPDATE_AT + 1000)],
    ['an alarm that entered ALARM during the update', 'FAIL', alarm('ALARM', UPDATE_AT + 1000)],
    ['an alarm that entered ALARM within the skew tolerance before the update', 'FAIL', alarm('ALARM', UPDATE_AT - 1000)],
    ['an alarm firing since well before the update', 'WAIT', alarm('ALARM', UPDATE_AT - 60_000)],
    ['a firing alarm with no transition time', 'FAIL', alarm('ALARM', undefined)],
    ['an alarm in INSUFFICIENT_DATA, not a trigger state here', 'WAIT', alarm('INSUFFICIENT_DATA', UPDATE_AT + 1000)],
    ['a firing alarm whose actions are disabled', 'WAIT', alarm('ALARM', UPDATE_AT + 1000, { actionsEnabled: false })],
    ['a firing composite alarm whose actions are suppressed', 'WAIT', alarm('ALARM', UPDATE_AT + 1000, { actionsSuppressedBy: 'WaitPeriod' })],
    ['a firing alarm muted by a mute rule', 'WAIT', alarm('ALARM', UPDATE_AT + 1000, { mutedBy: ['maintenance'] })],
  ])('with %s: %s', (_what, kind, reading) => {
    expect(decideBake(read(reading), rules, times).kind).toBe(kind);
  });

  it('does not count an alarm the update created or changed while it waits for its first evaluation', () => {
    const insufficient = { ...rules, triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] };
    const fresh = alarm('INSUFFICIENT_DATA', UPDATE_AT + 60_000, { configuredAt: UPDATE_AT + 30_000 });
    const decision = decideBake(read(fresh), insufficient, { ...times, now: times.bakeEndsAt });

    expect(decision).toEqual({ kind: 'PASS', result: AlarmStateCheckResult.OK, note: 'no alarm fires; configured by this update and not evaluated yet: web-5xx' });
    expect(decideBake(read(alarm('INSUFFICIENT_DATA', UPDATE_AT + 60_000, { configuredAt: UPDATE_AT - 60_000 })), insufficient, times).kind).toBe('FAIL');
    expect(decideBake(read(alarm('ALARM', UPDATE_AT + 60_000, { configuredAt: UPDATE_AT + 30_000 })), insufficient, times).kind).toBe('FAIL');
  });

  it('counts INSUFFICIENT_DATA when triggerOn says so, and paused alarms when actOnPausedAlarms', () => {
    expect(decideBake(read(alarm('INSUFFICIENT_DATA', UPDATE_AT + 1000)), { ...rules, triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] }, times).kind).toBe('FAIL');
    expect(decideBake(read(alarm('ALARM', UPDATE_AT + 1000, { actionsEnabled: false })), { ...rules, actOnPausedAlarms: true }, times).kind).toBe('FAIL');
  });

  it('passes once the bake time is up, saying which alarms were missing or left to the event path', () => {
    const decision = decideBake({ ok: true, alarms: [], missing: ['gone'], elsewhere: ['arn:aws:cloudwatch:eu-west-1:999999999999:alarm:far'] }, rules, { ...times, now: times.bakeEndsAt });

    expect(decision).toEqual({
      kind: 'PASS',
      result: AlarmStateCheckResult.MISSING,
      note: 'no alarm fires; not found: gone; left to the event path (another account or region): arn:aws:cloudwatch:eu-west-1:999999999999:alarm:far',
    });
  });
});
