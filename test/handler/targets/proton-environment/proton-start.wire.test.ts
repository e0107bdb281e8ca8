import {
  HandlerInstance,
  LocalCloudWatch,
  LocalDynamo,
  LocalProton,
  localEndpoints,
  startLocalCloudWatch,
  startLocalProton,
} from '../../../../local';
import { HandlerEnv, Metrics, RollbackRecord } from '../../../../src/contract';
import statusFixture from '../../../fixtures/proton-environment-status-change.json';
import { handlerEnv } from '../../../support/handler-env';
import { TABLE, startLedger, targetItems } from '../../../support/synthesized-ledger';
import { alarmEvent, protonTarget, ruleInput } from '../../support';

// The bundled rollback handler receiving a Proton environment's status change
// (the second rule of a Proton target), against local Proton, CloudWatch and DynamoDB.
let cloudWatch: LocalCloudWatch;
let proton: LocalProton;
let dynamo: LocalDynamo;
let instance: HandlerInstance;

const ALARM = 'checkout-5xx-rate';

beforeEach(async () => {
  cloudWatch = await startLocalCloudWatch();
  cloudWatch.state.seed({ alarms: [{ name: ALARM, state: 'OK' }] });
  proton = await startLocalProton();
  proton.state.seed({ environments: [{ name: 'prod', deploymentStatus: 'IN_PROGRESS', deploymentStartedAt: Date.now() - 5_000 }] });
  dynamo = await startLedger();
  instance = HandlerInstance.start({ env: handlerEnv({ proton: proton.endpoint, dynamo: dynamo.endpoint, cloudWatch: cloudWatch.endpoint }) });
});

afterEach(async () => {
  await instance.kill();
  await Promise.all([cloudWatch.close(), proton.close(), dynamo.close()]);
});

function statusEvent(changes: Record<string, unknown> = {}): Record<string, any> {
  const event = structuredClone(statusFixture) as Record<string, any>;
  event.time = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  event.detail = { ...event.detail, ...changes };
  return event;
}

const records = () => targetItems(dynamo, protonTarget().name);

describe('a Proton deployment starting', () => {
  it('is cancelled through the claim when one of the target\'s alarms fires as it starts', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');

    const invocation = await instance.invoke(ruleInput(protonTarget(), statusEvent()));

    expect(invocation.result).toMatchObject({
      outcome: 'CANCEL_REQUESTED', trigger: 'DEPLOYMENT_START', alarmsFiring: [ALARM], stateBefore: 'IN_PROGRESS', stateAfter: 'CANCELLING',
    });
    expect((invocation.result as RollbackRecord).apiCalls).toEqual(['cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules', 'proton:GetEnvironment', 'proton:CancelEnvironmentDeployment']);
    expect((await records())[0]).toMatchObject({ outcome: { S: 'CANCEL_REQUESTED' }, trigger: { S: 'DEPLOYMENT_START' } });
  });

  it('goes on with only the check metric when no alarm fires', async () => {
    const invocation = await instance.invoke(ruleInput(protonTarget(), statusEvent()));

    expect(invocation.ok).toBe(true);
    expect(proton.requests).toEqual([]);
    expect(await records()).toEqual([]);
    const metric = invocation.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line[Metrics.ALARM_STATE_CHECK] === 1);
    expect(metric).toMatchObject({ Trigger: 'DEPLOYMENT_START', Result: 'OK' });
  });

  it('goes on while the firing alarm\'s actions are disabled', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    cloudWatch.state.setActionsEnabled([ALARM], false);

    await instance.invoke(ruleInput(protonTarget(), statusEvent()));

    expect(proton.requests).toEqual([]);
  });

  it('ignores a status change other than IN_PROGRESS, and refuses one about another environment', async () => {
    const done = await instance.invoke(ruleInput(protonTarget(), statusEvent({ status: 'SUCCEEDED' })));
    const other = await instance.invoke(ruleInput(protonTarget(), { ...statusEvent({ name: 'staging' }), id: '1b7e2c1d-3f4a-4b5c-8d9e-a1b2c3d4e5f6' }));

    expect(done.result).toMatchObject({ outcome: 'IGNORED', reason: expect.stringContaining('went SUCCEEDED') });
    expect(other.result).toMatchObject({ outcome: 'REJECTED', reason: expect.stringContaining('about environment staging') });
  });

  it('fails so Lambda retries when the alarms cannot be read', async () => {
    cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'serverError' });

    const invocation = await instance.invoke(ruleInput(protonTarget(), statusEvent()));

    expect(invocation.ok).toBe(false);
    expect((await records())[0]).toMatchObject({ outcome: { S: 'FAILED' }, trigger: { S: 'DEPLOYMENT_START' } });
  });

  it('cancels once between the start check and an alarm event', async () => {
    cloudWatch.state.setAlarmState(ALARM, 'ALARM');
    const other = HandlerInstance.start({
      env: {
        ...localEndpoints({ proton: proton.endpoint, dynamo: dynamo.endpoint, cloudWatch: cloudWatch.endpoint }),
        [HandlerEnv.LEDGER_TABLE]: TABLE,
      },
    });

    const results = await Promise.all([
      instance.invoke(ruleInput(protonTarget(), statusEvent())),
      other.invoke(ruleInput(protonTarget(), alarmEvent({ changedAt: Date.now() }))),
    ]);
    await other.kill();

    const outcomes = results.map((result) => (result.result as RollbackRecord).outcome).sort();
    expect(outcomes).toEqual(['ALREADY_STOPPED', 'CANCEL_REQUESTED']);
    expect(proton.requests.filter((request) => request.operation === 'CancelEnvironmentDeployment')).toHaveLength(1);
  });
});
