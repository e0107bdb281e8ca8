import { createAlarmStateHandler } from '../../../lambda/alarm-state/alarm-state.lambda';
import type { Clients } from '../../../lambda/shared/clients';
import { readAlarmStateConfig } from '../../../lambda/shared/config';
import { Metrics } from '../../../src/contract';
import tickFixture from '../../fixtures/appconfig-at-deployment-tick.json';
import startFixture from '../../fixtures/appconfig-pre-start-deployment.json';

// The check's own defects: whatever throws inside it answers CONTINUE (a
// start allowed), with an ERROR line, a REJECTED record and the fault metric.
const broken = (what: string) => () => {
  throw new Error(what);
};
const clients: Clients = {
  dynamo: broken('no ledger client'),
  appConfig: broken('no AppConfig client'),
  proton: broken('no Proton client'),
  sns: broken('no SNS client'),
  cloudWatch: broken('the CloudWatch client could not be built'),
  cloudFormation: broken('no CloudFormation client'),
};

function logLines(...spies: jest.SpyInstance[]): Array<Record<string, any>> {
  return spies.flatMap((spy) => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, any>));
}

describe('the alarm-state check\'s own faults', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    out.mockRestore();
    err.mockRestore();
  });

  const handler = createAlarmStateHandler({
    clients,
    config: () => readAlarmStateConfig({ ROLLBACK_LEDGER_TABLE: 'ledger', ROLLBACK_NAME: 'Stack/Rollback' }),
    now: Date.now,
    region: () => 'us-east-1',
  });

  it('answers CONTINUE at a tick when the check throws, and says so loudly', async () => {
    const answer = await handler(tickFixture, { awsRequestId: 'req-1' });

    expect(answer).toEqual({ Directive: 'CONTINUE', Description: expect.stringContaining('the check failed: Error: the CloudWatch client could not be built') });
    const lines = logLines(out, err);
    expect(lines.find((line) => line.level === 'ERROR' && line.message === 'alarm-state check fault: answered CONTINUE'))
      .toMatchObject({ outcome: 'REJECTED', result: 'FAULT', target: 'Stack/Rollback/ConfigRollout', eventId: '7hq3kzp', deploymentNumber: 1 });
    expect(lines.find((line) => line[Metrics.ALARM_STATE_CHECK] === 1)).toMatchObject({ Result: 'FAULT', [Metrics.ALARM_STATE_FAULT]: 1 });
    // The ledger could not be written either: the record is in the log, counted.
    expect(lines.find((line) => line[Metrics.RECORD_NOT_KEPT] === 1)).toMatchObject({ eventId: '7hq3kzp' });
  });

  it('answers CONTINUE at its deadline when something it waits on never settles', async () => {
    const hanging = createAlarmStateHandler({
      clients: { ...clients, cloudWatch: () => new Promise(() => undefined) },
      config: () => readAlarmStateConfig({ ROLLBACK_LEDGER_TABLE: 'ledger', ROLLBACK_NAME: 'Stack/Rollback' }),
      now: Date.now,
      region: () => 'us-east-1',
    });

    const answer = await hanging(tickFixture);

    expect(answer).toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('did not decide within its answer budget') });
    expect(logLines(out, err).find((line) => line[Metrics.ALARM_STATE_CHECK] === 1)).toMatchObject({ Result: 'FAULT', [Metrics.ALARM_STATE_FAULT]: 1 });
  });

  it('lets a start through when the check throws', async () => {
    await expect(handler(startFixture)).resolves.toMatchObject({ Directive: 'CONTINUE' });
  });

  it('answers CONTINUE when its own configuration cannot be read', async () => {
    const unconfigured = createAlarmStateHandler({
      clients,
      config: () => readAlarmStateConfig({ ROLLBACK_LEDGER_TABLE: 'ledger', ROLLBACK_ALARM_READ_FAILURE: 'SOMETIMES' }),
      now: Date.now,
      region: () => 'us-east-1',
      rollbackName: () => 'Stack/Rollback',
    });

    await expect(unconfigured(tickFixture)).resolves.toMatchObject({ Directive: 'CONTINUE', Description: expect.stringContaining('ROLLBACK_ALARM_READ_FAILURE is "SOMETIMES"') });
    expect(logLines(out, err).find((line) => line[Metrics.ALARM_STATE_FAULT] === 1)).toMatchObject({ Rollback: 'Stack/Rollback', Result: 'FAULT' });
  });
});
