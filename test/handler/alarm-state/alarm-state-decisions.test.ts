import { AlarmStateCheckResult, decideCheck } from '../../../lambda/alarm-state/decide-check';
import { parseExtensionPayload } from '../../../lambda/alarm-state/parse-extension-payload';
import type { AlarmReading } from '../../../lambda/shared/cloudwatch/describe-alarms';
import { firingAlarms, muteCandidates, pausedBecause } from '../../../lambda/shared/cloudwatch/firing-alarms';
import { readAlarmStateConfig } from '../../../lambda/shared/config';
import { AlarmReadFailure } from '../../../src/contract';
import tickPayload from '../../fixtures/appconfig-at-deployment-tick.json';
import startPayload from '../../fixtures/appconfig-pre-start-deployment.json';

const alarm = (name: string, state: string, more: Partial<AlarmReading> = {}): AlarmReading =>
  ({ name, state, type: 'MetricAlarm', actionsEnabled: true, ...more });
const ALARM_ONLY = { triggerStates: ['ALARM'], actOnPausedAlarms: false };

describe('which alarms fire', () => {
  it('counts an alarm in ALARM with its actions enabled as firing', () => {
    expect(firingAlarms(['a', 'b'], [alarm('a', 'ALARM'), alarm('b', 'OK')], ALARM_ONLY)).toEqual({ firing: ['a'], paused: [], missing: [] });
  });

  it('counts INSUFFICIENT_DATA only when it is a trigger state', () => {
    const readings = [alarm('a', 'INSUFFICIENT_DATA')];
    expect(firingAlarms(['a'], readings, ALARM_ONLY).firing).toEqual([]);
    expect(firingAlarms(['a'], readings, { ...ALARM_ONLY, triggerStates: ['ALARM', 'INSUFFICIENT_DATA'] }).firing).toEqual(['a']);
  });

  it('leaves out an alarm whose actions are disabled, and names it as paused', () => {
    const verdict = firingAlarms(['a'], [alarm('a', 'ALARM', { actionsEnabled: false })], ALARM_ONLY);
    expect(verdict.firing).toEqual([]);
    expect(verdict.paused).toEqual(['a (ALARM, but its actions are disabled)']);
  });

  it('leaves out a composite alarm whose actions are suppressed', () => {
    const composite = alarm('c', 'ALARM', { type: 'CompositeAlarm', actionsSuppressedBy: 'WaitPeriod' });
    expect(firingAlarms(['c'], [composite], ALARM_ONLY)).toMatchObject({ firing: [], paused: ['c (ALARM, but its actions are suppressed by WaitPeriod)'] });
  });

  it('counts paused alarms when the target acts on paused alarms', () => {
    const readings = [alarm('a', 'ALARM', { actionsEnabled: false }), alarm('c', 'ALARM', { type: 'CompositeAlarm', actionsSuppressedBy: 'Alarm' })];
    expect(firingAlarms(['a', 'c'], readings, { ...ALARM_ONLY, actOnPausedAlarms: true }).firing).toEqual(['a', 'c']);
  });

  it('lists an alarm the answer left out as missing, not firing', () => {
    expect(firingAlarms(['gone'], [], ALARM_ONLY)).toEqual({ firing: [], paused: [], missing: ['gone'] });
  });

  it('leaves out an alarm an active mute rule mutes, and names the rule', () => {
    const verdict = firingAlarms(['a'], [alarm('a', 'ALARM', { mutedBy: ['release-window'] })], ALARM_ONLY);
    expect(verdict).toMatchObject({ firing: [], paused: ['a (ALARM, but its actions are muted by alarm mute rule release-window)'] });
    expect(firingAlarms(['a'], [alarm('a', 'ALARM', { mutedBy: ['release-window'] })], { ...ALARM_ONLY, actOnPausedAlarms: true }).firing).toEqual(['a']);
  });

  it('counts an alarm whose mute rules could not be read as firing: its state is known', () => {
    expect(firingAlarms(['a'], [alarm('a', 'ALARM', { mutesUnread: 'Throttling' })], ALARM_ONLY).firing).toEqual(['a']);
  });

  it('asks about mutes only for alarms in a trigger state that nothing else pauses, and never when paused alarms act', () => {
    const readings = [alarm('a', 'ALARM'), alarm('b', 'OK'), alarm('c', 'ALARM', { actionsEnabled: false })];
    expect(muteCandidates(readings, ALARM_ONLY)).toEqual(['a']);
    expect(muteCandidates(readings, { ...ALARM_ONLY, actOnPausedAlarms: true })).toEqual([]);
  });

  it('says nothing is paused for an enabled, unsuppressed alarm', () => {
    expect(pausedBecause({ actionsEnabled: true })).toBeUndefined();
  });
});

describe('what a check decides', () => {
  const quiet = { ok: true as const, verdict: { firing: [], paused: [], missing: [] }, elsewhere: [] };
  const firing = { ok: true as const, verdict: { firing: ['checkout-5xx-rate'], paused: [], missing: [] }, elsewhere: [] };
  const unreadable = { ok: false as const, error: 'ThrottlingException: Rate exceeded' };

  it('continues a tick when no alarm fires', () => {
    expect(decideCheck('TICK', quiet, AlarmReadFailure.ROLL_BACK, false)).toMatchObject({ kind: 'CONTINUE', result: AlarmStateCheckResult.OK });
  });

  it('rolls a tick back when an alarm fires', () => {
    expect(decideCheck('TICK', firing, AlarmReadFailure.CONTINUE, false)).toMatchObject({ kind: 'ROLL_BACK', result: AlarmStateCheckResult.FIRING, firing: ['checkout-5xx-rate'] });
  });

  it('rolls a tick back when the alarms cannot be read and the policy is ROLL_BACK', () => {
    const action = decideCheck('TICK', unreadable, AlarmReadFailure.ROLL_BACK, false);
    expect(action).toMatchObject({ kind: 'ROLL_BACK', result: AlarmStateCheckResult.UNREADABLE, firing: [] });
    expect(action.kind === 'ROLL_BACK' && action.reason).toMatch(/ThrottlingException.*policy is ROLL_BACK/);
  });

  it('continues a tick when the alarms cannot be read and the policy is CONTINUE', () => {
    expect(decideCheck('TICK', unreadable, AlarmReadFailure.CONTINUE, false)).toMatchObject({ kind: 'CONTINUE', result: AlarmStateCheckResult.UNREADABLE });
  });

  it('blocks a start when an alarm fires and blockStart is on', () => {
    expect(decideCheck('START', firing, AlarmReadFailure.ROLL_BACK, true)).toMatchObject({ kind: 'BLOCK', result: AlarmStateCheckResult.FIRING });
  });

  it('allows a start without reading when blockStart is off', () => {
    expect(decideCheck('START', undefined, AlarmReadFailure.ROLL_BACK, false)).toMatchObject({ kind: 'CONTINUE', result: AlarmStateCheckResult.NOT_CHECKED });
  });

  it('blocks a start it cannot check under ROLL_BACK and allows it under CONTINUE', () => {
    expect(decideCheck('START', unreadable, AlarmReadFailure.ROLL_BACK, true)).toMatchObject({ kind: 'BLOCK', result: AlarmStateCheckResult.UNREADABLE });
    expect(decideCheck('START', unreadable, AlarmReadFailure.CONTINUE, true)).toMatchObject({ kind: 'CONTINUE', result: AlarmStateCheckResult.UNREADABLE });
  });
});

describe('the AppConfig extension payload', () => {
  it('reads a tick: the invocation, the deployment, the target and its alarms', () => {
    expect(parseExtensionPayload(tickPayload)).toEqual({
      ok: true,
      point: 'TICK',
      invocationId: '7hq3kzp',
      deploymentNumber: 1,
      target: {
        name: 'Stack/Rollback/ConfigRollout', applicationId: 'abc1234', environmentId: 'env5678', triggerStates: ['ALARM'], actOnPausedAlarms: false, blockStart: true,
      },
      alarmArns: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-health'],
      notes: [],
    });
  });

  it('reads DeploymentNumber as a number or a numeric string, as AWS\'s payload examples write it', () => {
    expect(parseExtensionPayload({ ...tickPayload, DeploymentNumber: '3' })).toMatchObject({ ok: true, deploymentNumber: 3, notes: [] });
    expect(parseExtensionPayload({ ...tickPayload, DeploymentNumber: 3 })).toMatchObject({ ok: true, deploymentNumber: 3, notes: [] });
  });

  it('reads a tick without a readable deployment number, noting that nothing can be claimed', () => {
    for (const number of [undefined, 'three', -1, 1.5]) {
      const parsed = parseExtensionPayload({ ...tickPayload, DeploymentNumber: number });
      expect(parsed).toMatchObject({ ok: true, point: 'TICK', deploymentNumber: undefined });
      expect(parsed.ok && parsed.notes.join()).toMatch(/DeploymentNumber.*not claimed/);
    }
  });

  it('derives a stable invocation id from the payload when InvocationId is missing or unfit for a ledger key', () => {
    const first = parseExtensionPayload({ ...tickPayload, InvocationId: undefined });
    const again = parseExtensionPayload({ ...tickPayload, InvocationId: undefined });
    const other = parseExtensionPayload({ ...tickPayload, InvocationId: undefined, DeploymentNumber: 2 });
    expect(first).toMatchObject({ ok: true, invocationId: expect.stringMatching(/^derived-[0-9a-f]{32}$/) });
    expect(first.ok && first.notes.join()).toMatch(/InvocationId is undefined; the record uses derived-/);
    expect(again.ok && again.invocationId).toBe(first.ok && first.invocationId);
    expect(other.ok && other.invocationId).not.toBe(first.ok && first.invocationId);
    expect(parseExtensionPayload({ ...tickPayload, InvocationId: 'a#b' })).toMatchObject({ ok: true, invocationId: expect.stringMatching(/^derived-/) });
  });

  it('reads a payload without Type as a tick, and ignores fields it does not know', () => {
    const { Type: _type, ...untyped } = tickPayload as Record<string, unknown>;
    expect(parseExtensionPayload({ ...untyped, Extra: { any: 'thing' } })).toMatchObject({ ok: true, point: 'TICK', notes: ['the payload carries no Type; it was read as a tick'] });
  });

  it('reads a start', () => {
    expect(parseExtensionPayload(startPayload)).toMatchObject({ ok: true, point: 'START', deploymentNumber: 2 });
  });

  it('accepts the action point name as the Type, too', () => {
    expect(parseExtensionPayload({ ...tickPayload, Type: 'AT_DEPLOYMENT_TICK' })).toMatchObject({ ok: true, point: 'TICK' });
    expect(parseExtensionPayload({ ...startPayload, Type: 'PRE_START_DEPLOYMENT' })).toMatchObject({ ok: true, point: 'START' });
    expect(parseExtensionPayload({ ...startPayload, Type: 'PreStartDeployment' })).toMatchObject({ ok: true, point: 'START' });
  });

  it('joins the alarms of Alarms1 to Alarms9 in order', () => {
    const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    const parameters = { ...tickPayload.Parameters, Alarms1: JSON.stringify([arn('a')]), Alarms3: JSON.stringify([arn('c'), arn('d')]) };
    expect(parseExtensionPayload({ ...tickPayload, Parameters: parameters })).toMatchObject({ alarmArns: [arn('a'), arn('c'), arn('d')] });
  });

  it.each([
    ['a payload that is not an object', 'tick', /not an AppConfig extension request object/],
    ['another action point', { ...tickPayload, Type: 'OnDeploymentComplete' }, /Type is "OnDeploymentComplete"/],
    ['no parameters', { ...tickPayload, Parameters: undefined }, /Parameters are undefined/],
    ['a Target that is not JSON', { ...tickPayload, Parameters: { ...tickPayload.Parameters, Target: '{name' } }, /Target parameter is malformed: it is .* not JSON/],
    ['a Target without blockStart', { ...tickPayload, Parameters: { ...tickPayload.Parameters, Target: '{"name":"T","applicationId":"abc1234","environmentId":"env5678","triggerStates":["ALARM"],"actOnPausedAlarms":false}' } }, /blockStart is undefined/],
    ['an Alarms value with something else than ARNs', { ...tickPayload, Parameters: { ...tickPayload.Parameters, Alarms1: '["checkout"]' } }, /Alarms1 parameter is .* not a JSON list of alarm ARNs/],
    ['no alarms at all', { ...tickPayload, Parameters: { Target: tickPayload.Parameters.Target } }, /no AlarmsN parameter names an alarm/],
    ['another environment than the Target names', { ...tickPayload, Environment: { Id: 'oth9999' } }, /Environment.Id is "oth9999", but the Target parameter names env5678/],
  ])('refuses %s with the reason', (_name, payload, reason) => {
    const parsed = parseExtensionPayload(payload);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('the alarm-state check\'s settings', () => {
  const base = { ROLLBACK_LEDGER_TABLE: 'ledger' };

  it('rolls back on read failures within 3 s unless told otherwise', () => {
    expect(readAlarmStateConfig(base)).toMatchObject({ alarmReadFailure: 'ROLL_BACK', alarmReadBudgetMs: 3_000 });
    expect(readAlarmStateConfig({ ...base, ROLLBACK_ALARM_READ_FAILURE: 'CONTINUE', ROLLBACK_ALARM_READ_BUDGET_MS: '800' }))
      .toMatchObject({ alarmReadFailure: 'CONTINUE', alarmReadBudgetMs: 800 });
  });

  it('fails at cold start on a policy or budget it does not know, naming the variable and the choices', () => {
    expect(() => readAlarmStateConfig({ ...base, ROLLBACK_ALARM_READ_FAILURE: 'IGNORE' })).toThrow(/ROLLBACK_ALARM_READ_FAILURE is "IGNORE"; it must be ROLL_BACK or CONTINUE/);
    expect(() => readAlarmStateConfig({ ...base, ROLLBACK_ALARM_READ_BUDGET_MS: '-5' })).toThrow(/ROLLBACK_ALARM_READ_BUDGET_MS is "-5"; it must be a positive number/);
  });
});

describe('what a quiet check notes', () => {
  it('says OK only when every alarm was found quiet', () => {
    const read = { ok: true as const, verdict: { firing: [], paused: [], missing: [] }, elsewhere: [] };
    expect(decideCheck('TICK', read, AlarmReadFailure.ROLL_BACK, false)).toEqual({ kind: 'CONTINUE', result: AlarmStateCheckResult.OK, note: undefined, missing: [] });
  });

  it('rolls back on a firing alarm even when another is missing', () => {
    const read = { ok: true as const, verdict: { firing: ['a'], paused: [], missing: ['gone'] }, elsewhere: [] };
    expect(decideCheck('TICK', read, AlarmReadFailure.ROLL_BACK, false)).toMatchObject({ kind: 'ROLL_BACK', result: AlarmStateCheckResult.FIRING });
  });

  it('names paused, missing and unreadable alarms while continuing', () => {
    const read = {
      ok: true as const,
      verdict: { firing: [], paused: ['a (ALARM, but its actions are disabled)'], missing: ['gone'] },
      elsewhere: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:far'],
    };
    const action = decideCheck('TICK', read, AlarmReadFailure.ROLL_BACK, false);
    // A missing alarm is its own result, never OK, and never a rollback.
    expect(action).toMatchObject({ kind: 'CONTINUE', result: AlarmStateCheckResult.MISSING, missing: ['gone'] });
    expect(action.kind === 'CONTINUE' && action.note).toBe(
      'no alarm fires; paused: a (ALARM, but its actions are disabled); not found: gone; left to the event path (another account or region): arn:aws:cloudwatch:eu-west-1:123456789012:alarm:far');
  });
});
