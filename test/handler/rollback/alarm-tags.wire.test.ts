import { HandlerInstance, LocalAppConfig, LocalDynamo, startLocalAppConfig } from '../../../local';
import taggedFixture from '../../fixtures/tagged-alarm-state-change.json';
import { seedAppConfigDeployment } from '../../support/appconfig-deployment';
import { handlerEnv } from '../../support/handler-env';
import { startLedger, targetItems } from '../../support/synthesized-ledger';
import { alarmEvent, appConfigTarget, ruleInput } from '../support';

// The bundled handler in a worker, against local AppConfig and DynamoDB: a
// target watched by ARN and by tags receives the same event from both of
// its rules.
let appConfig: LocalAppConfig;
let dynamo: LocalDynamo;
let instance: HandlerInstance;
let taggedEvent: Record<string, any>;

beforeEach(async () => {
  taggedEvent = alarmEvent({ changedAt: Date.now(), base: taggedFixture });
  appConfig = await startLocalAppConfig();
  seedAppConfigDeployment(appConfig, 'abc1234', 'env5678', Date.now() - 60_000);
  dynamo = await startLedger();
  instance = HandlerInstance.start({ env: handlerEnv({ appConfig: appConfig.endpoint, dynamo: dynamo.endpoint }) });
});

afterEach(async () => {
  await instance.kill();
  await Promise.all([appConfig.close(), dynamo.close()]);
});

describe('bundled handler with a tag-routed target on the wire', () => {
  it('rolls back once when the ARN rule and the tag rule both deliver the same event, and records the second as DUPLICATE', async () => {
    const byArn = appConfigTarget({ alarmArns: [taggedEvent.resources[0]] });
    const byTags = appConfigTarget({ alarmArns: [], alarmTags: { rollback: 'checkout' } });

    const first = await instance.invoke(ruleInput(byTags, taggedEvent), { awsRequestId: 'r-1' });
    const second = await instance.invoke(ruleInput(byArn, taggedEvent), { awsRequestId: 'r-2' });

    expect(first.result).toMatchObject({ outcome: 'ROLLED_BACK', alarmName: 'checkout-latency-p99' });
    expect(second.result).toMatchObject({ outcome: 'DUPLICATE' });
    expect(appConfig.state.getDeployment('abc1234', 'env5678', 1).state).toBe('ROLLED_BACK');
    expect(appConfig.requests.filter((request) => request.operation === 'StopDeployment')).toHaveLength(1);
    const records = await targetItems(dynamo, appConfigTarget().name);
    expect(records.map((record) => record.outcome.S).sort()).toEqual(['DUPLICATE', 'ROLLED_BACK']);
  });

  it('rejects an event whose tag value differs, without calling AppConfig', async () => {
    taggedEvent.detail.alarmTags.rollback = 'search';

    const invocation = await instance.invoke(ruleInput(appConfigTarget({ alarmArns: [], alarmTags: { rollback: 'checkout' } }), taggedEvent));

    expect(invocation.result).toMatchObject({ outcome: 'REJECTED', reason: expect.stringMatching(/tag "rollback" is "search", not "checkout"/) });
    expect(appConfig.requests).toHaveLength(0);
  });
});
