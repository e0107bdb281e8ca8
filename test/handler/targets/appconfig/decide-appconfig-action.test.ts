import { decideAppConfigAction } from '../../../../lambda/targets/appconfig/decide-appconfig-action';
import { RollbackOutcome } from '../../../../src/contract';

// The decision is judged at the alarm's state change, whatever the handler's clock says.
const ALARM_AT = Date.parse('2026-11-20T14:03:10.109Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('decideAppConfigAction at the alarm', () => {
  it('stops a deployment that started before the state change', () => {
    const action = decideAppConfigAction({ deploymentNumber: 4, state: 'DEPLOYING', startedAt: ALARM_AT - MINUTE }, ALARM_AT, 0);

    expect(action).toMatchObject({ kind: 'STOP', outcome: RollbackOutcome.ROLLED_BACK });
  });

  it('leaves a deployment that started after the state change alone, naming both times', () => {
    const action = decideAppConfigAction({ deploymentNumber: 5, state: 'BAKING', startedAt: ALARM_AT + MINUTE }, ALARM_AT, 0);

    expect(action).toEqual({
      kind: 'NONE',
      outcome: RollbackOutcome.STARTED_AFTER_ALARM,
      reason: 'deployment 5 started at 2026-11-20T14:04:10.109Z, after the alarm changed state at 2026-11-20T14:03:10.109Z; this event is no evidence against it',
    });
  });

  it('leaves a completed deployment that started after the state change unreverted', () => {
    const action = decideAppConfigAction({ deploymentNumber: 5, state: 'COMPLETE', startedAt: ALARM_AT + MINUTE, completedAt: ALARM_AT + 2 * MINUTE }, ALARM_AT, 3600);

    expect(action.outcome).toBe(RollbackOutcome.STARTED_AFTER_ALARM);
  });

  it('keeps ALREADY_STOPPED for a stopped deployment, whenever it started', () => {
    const action = decideAppConfigAction({ deploymentNumber: 5, state: 'ROLLED_BACK', startedAt: ALARM_AT + MINUTE }, ALARM_AT, 0);

    expect(action.outcome).toBe(RollbackOutcome.ALREADY_STOPPED);
  });

  it('counts the revert window back from the state change, not from the decision', () => {
    const completed = { deploymentNumber: 6, state: 'COMPLETE', startedAt: ALARM_AT - 3 * HOUR, completedAt: ALARM_AT - 50 * MINUTE };

    expect(decideAppConfigAction(completed, ALARM_AT, 3600)).toMatchObject({ kind: 'STOP', outcome: RollbackOutcome.REVERTED });
    expect(decideAppConfigAction(completed, ALARM_AT + 6 * HOUR, 3600)).toMatchObject({ kind: 'NONE', outcome: RollbackOutcome.NO_ACTIVE_DEPLOYMENT });
  });

  it('reverts a deployment that completed after the state change: it was in flight at the alarm', () => {
    const action = decideAppConfigAction({ deploymentNumber: 6, state: 'COMPLETE', startedAt: ALARM_AT - HOUR, completedAt: ALARM_AT + 10 * MINUTE }, ALARM_AT, 60);

    expect(action).toMatchObject({ kind: 'STOP', outcome: RollbackOutcome.REVERTED });
    expect(action.reason).toMatch(/completed at 2026-11-20T14:13:10.109Z, after the alarm changed state/);
  });

  it('stops a deployment without a start time, the side a rollback errs on', () => {
    const action = decideAppConfigAction({ deploymentNumber: 4, state: 'DEPLOYING' }, ALARM_AT, 0);

    expect(action.outcome).toBe(RollbackOutcome.ROLLED_BACK);
  });
});
