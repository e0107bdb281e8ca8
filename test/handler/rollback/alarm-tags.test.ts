import { AppConfigClient, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-appconfig';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as fc from 'fast-check';
import { parseRollbackInput } from '../../../lambda/rollback/parse-rollback-input';
import { alarmStateChange } from '../../../local/simulate/alarm-event';
import { RollbackOutcome, Rules } from '../../../src/contract';
import forwardedEvent from '../../fixtures/forwarded-alarm-state-change.json';
import protonStatusEvent from '../../fixtures/proton-environment-status-change.json';
import taggedEvent from '../../fixtures/tagged-alarm-state-change.json';
import { appConfigTarget, captureLogs, mockActiveAlarms, protonTarget, ruleInput, testHandler } from '../support';

const appConfig = mockClient(AppConfigClient);
const dynamo = mockClient(DynamoDBClient);
const cloudWatch = mockClient(CloudWatchClient);
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  appConfig.reset();
  dynamo.reset();
  cloudWatch.reset();
  mockActiveAlarms(cloudWatch);
  dynamo.on(PutItemCommand).resolves({});
  appConfig.on(ListDeploymentsCommand).resolves({ Items: [{ DeploymentNumber: 7, State: 'DEPLOYING' }] });
  appConfig.on(StopDeploymentCommand).resolves({ State: 'ROLLED_BACK' });
  logs = captureLogs();
});
afterEach(() => logs.restore());

/** A target watched by tags only, as a tag-routed rule sends it. */
const tagTarget = (alarmTags: Record<string, string> = { rollback: 'checkout' }) => appConfigTarget({ alarmArns: [], alarmTags });

/** The tagged fixture with other `detail` fields. */
function taggedWith(detail: Record<string, unknown>): Record<string, any> {
  const event = structuredClone(taggedEvent) as Record<string, any>;
  event.detail = { ...event.detail, ...detail };
  return event;
}

/** The tagged fixture without one detail field. */
function taggedWithout(key: string): Record<string, any> {
  const event = structuredClone(taggedEvent) as Record<string, any>;
  delete event.detail[key];
  return event;
}

describe('a target watched by alarm tags', () => {
  it('stops the deployment when an alarm carrying every tag of the target enters ALARM', async () => {
    const record = await testHandler()(ruleInput(tagTarget({ rollback: 'checkout', team: 'payments' }), taggedEvent));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ROLLED_BACK, alarmArn: taggedEvent.resources[0], alarmName: 'checkout-latency-p99' });
    expect(appConfig).toHaveReceivedCommandWith(StopDeploymentCommand, { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 7, AllowRevert: true });
  });

  it('matches a tag whose value is the empty string', async () => {
    const record = await testHandler()(ruleInput(tagTarget({ canary: '' }), taggedWith({ alarmTags: { canary: '', rollback: 'other' } })));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
  });

  it('stops the deployment for an alarm listed by ARN even when its tags differ', async () => {
    const target = appConfigTarget({ alarmArns: [taggedEvent.resources[0]], alarmTags: { rollback: 'search' } });

    const record = await testHandler()(ruleInput(target, taggedEvent));

    expect(record.outcome).toBe(RollbackOutcome.ROLLED_BACK);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a tag value that differs', { alarmTags: { rollback: 'search' } }, /tag "rollback" is "search", not "checkout"/],
    ['a tag that is missing', { alarmTags: { team: 'payments' } }, /tag "rollback" is missing/],
    ['a tag value of another case', { alarmTags: { rollback: 'Checkout' } }, /tag "rollback" is "Checkout", not "checkout"/],
    ['a tag value that is not a string', { alarmTags: { rollback: ['checkout'] } }, /tag "rollback" is \["checkout"\], not "checkout"/],
    ['tags that are not an object', { alarmTags: 'rollback=checkout' }, /carries no detail.alarmTags/],
    ['a missing tag whose status is not SUCCESS', { alarmTags: {}, alarmTagsStatus: 'FAILURE' }, /tag "rollback" is missing \(the event's detail.alarmTagsStatus is "FAILURE"\)/],
  ])('rejects an event with %s, naming the tag', async (_name, detail, reason) => {
    const record = await testHandler()(ruleInput(tagTarget(), taggedWith(detail)));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(/is not one of the alarms of target Stack\/Rollback\/ConfigRollout: /);
    expect(record.reason).toMatch(reason);
    expect(appConfig.calls()).toHaveLength(0);
  });

  it('rejects an event without alarm tags and says to turn on tag propagation', async () => {
    const record = await testHandler()(ruleInput(tagTarget(), taggedWithout('alarmTags')));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(/carries no detail.alarmTags, and the target routes by tags \{"rollback":"checkout"\}; turn on the alarm's tag propagation/);
  });

  it('names every tag that does not match, up to three', async () => {
    const wanted = { a: '1', b: '2', c: '3', d: '4', e: '5' };

    const record = await testHandler()(ruleInput(tagTarget(wanted), taggedWith({ alarmTags: { a: '1' } })));

    expect(record.reason).toMatch(/tag "b" is missing, tag "c" is missing, tag "d" is missing, and 1 more$/);
  });

  it('does not read a target tag from the prototype of the event tags', async () => {
    const event = JSON.parse(JSON.stringify(taggedEvent).replace('"alarmTags":{', '"alarmTags":{"__proto__":{"owner":"x"},'));

    const record = await testHandler()(ruleInput(tagTarget({ owner: 'x' }), event));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(/tag "owner" is missing/);
  });

  it('checks the event account and Region against the alarm ARN before the tags', async () => {
    const record = await testHandler()(ruleInput(tagTarget(), { ...taggedEvent, account: '999999999999' }));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(/comes from account "999999999999"/);
  });
});

describe('tag matching, for any tags an event can carry', () => {
  // Few keys and values, so that generated events hit the target's tags often.
  const key = fc.constantFrom('rollback', 'team', 'Team', 'env', '__proto__', 'constructor', 'a.b');
  const value = fc.constantFrom('checkout', 'Checkout', '', 'checkout ', 'payments');
  const hostile = fc.oneof(value, fc.constant(null), fc.integer(), fc.array(value, { maxLength: 2 }), fc.object({ maxDepth: 1 }));

  it('takes an unlisted alarm exactly when its event holds every target tag with the same string', () => {
    fc.assert(fc.property(
      fc.dictionary(key, value, { minKeys: 1, maxKeys: 4 }),
      fc.dictionary(key, hostile, { maxKeys: 6 }),
      (wanted, carried) => {
        const event = JSON.parse(JSON.stringify(taggedWith({ alarmTags: {} })));
        // Defined as own data properties, as JSON.parse makes them, `__proto__` included.
        for (const [k, v] of Object.entries(carried)) Object.defineProperty(event.detail.alarmTags, k, { value: v, enumerable: true });
        const matches = Object.entries(wanted).every(([k, v]) => Object.prototype.hasOwnProperty.call(carried, k) && carried[k] === v);

        const parsed = parseRollbackInput(ruleInput(tagTarget(wanted), event));

        expect(parsed.ok).toBe(matches);
        if (!parsed.ok) expect(parsed).toMatchObject({ outcome: RollbackOutcome.REJECTED, reason: expect.stringMatching(/tag "/) });
      },
    ), { numRuns: 500 });
  });
});

describe('a simulated tagged alarm event', () => {
  const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-latency-p99';

  it('carries the tags where the handler reads them, so a tag-routed target takes it', () => {
    const event = alarmStateChange({ alarmArn: arn, alarmTags: { rollback: 'checkout' } });

    expect(event.detail).toMatchObject({ alarmTags: { rollback: 'checkout' }, alarmTagsStatus: 'SUCCESS' });
    expect(parseRollbackInput(ruleInput(tagTarget(), event))).toMatchObject({ ok: true, event: { alarmArn: arn } });
  });

  it('carries no tags unless asked, as an alarm without tag propagation', () => {
    const event = alarmStateChange({ alarmArn: arn });

    expect(event.detail).not.toHaveProperty('alarmTags');
    expect(parseRollbackInput(ruleInput(tagTarget(), event))).toMatchObject({ ok: false, reason: expect.stringMatching(/carries no detail.alarmTags/) });
  });
});

describe('the rule input of a tag-routed target', () => {
  const parse = (target: unknown) => parseRollbackInput({ ...ruleInput(appConfigTarget(), taggedEvent), target });

  it('keeps the tags of a target watched by tags only', () => {
    const parsed = parse(tagTarget({ rollback: 'checkout', team: 'payments' }));

    expect(parsed).toMatchObject({ ok: true, target: { alarmArns: [], alarmTags: { rollback: 'checkout', team: 'payments' } } });
  });

  it('keeps the tags of a Proton target', () => {
    const parsed = parseRollbackInput(ruleInput(protonTarget({ alarmArns: [], alarmTags: { rollback: 'checkout' } }), taggedEvent));

    expect(parsed).toMatchObject({ ok: true, target: { kind: 'proton-environment', alarmTags: { rollback: 'checkout' } } });
  });

  it('refuses a Proton deployment start for a target that lists no alarm to read', () => {
    const parsed = parseRollbackInput(ruleInput(protonTarget({ alarmArns: [], alarmTags: { rollback: 'checkout' } }), protonStatusEvent));

    expect(parsed).toMatchObject({ ok: false, outcome: RollbackOutcome.REJECTED, reason: expect.stringMatching(/lists no alarm for the deployment-start check to read/) });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no alarms and no tags', { alarmArns: [] }, /alarmArns is empty and target.alarmTags is absent/],
    ['tags that are not an object', { alarmArns: [], alarmTags: ['rollback'] }, /alarmTags is \["rollback"\], not an object/],
    ['an empty tag set', { alarmArns: [], alarmTags: {} }, /alarmTags has 0 tags/],
    ['more tags than a target routes by', { alarmArns: [], alarmTags: Object.fromEntries(Array.from({ length: Rules.MAX_ALARM_TAGS_PER_TARGET + 1 }, (_, i) => [`k${i}`, 'v'])) }, /alarmTags has 11 tags; a target routes by 1 to 10/],
    ['a reserved aws: key', { alarmArns: [], alarmTags: { 'aws:cloudformation:stack-name': 'x' } }, /key "aws:cloudformation:stack-name"/],
    ['a key over 128 characters', { alarmArns: [], alarmTags: { ['k'.repeat(129)]: 'x' } }, /has the key "kkkk/],
    ['a value that is not a string', { alarmArns: [], alarmTags: { rollback: 1 } }, /alarmTags.rollback is 1/],
    ['a value over 256 characters', { alarmArns: [], alarmTags: { rollback: 'v'.repeat(257) } }, /alarmTags.rollback is "vvv/],
  ])('is malformed with %s', (_name, overrides, reason) => {
    const parsed = parse({ ...appConfigTarget(), ...overrides });

    expect(parsed).toMatchObject({ ok: false, outcome: RollbackOutcome.REJECTED });
    expect(!parsed.ok && parsed.reason).toMatch(/the rule input's target is malformed: target./);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('an event forwarded from another account', () => {
  const monitoringArn = forwardedEvent.resources[0];

  it('stops the deployment for a target that lists the alarm of the monitoring account', async () => {
    const record = await testHandler()(ruleInput(appConfigTarget({ alarmArns: [monitoringArn] }), forwardedEvent));

    expect(record).toMatchObject({ outcome: RollbackOutcome.ROLLED_BACK, alarmArn: monitoringArn });
  });

  it.each([
    ['account', { account: '123456789012' }, /comes from account "123456789012" in region "eu-west-1", but alarm .+ lives in 111111111111 eu-west-1/],
    ['region', { region: 'us-east-1' }, /comes from account "111111111111" in region "us-east-1", but alarm .+ lives in 111111111111 eu-west-1/],
  ])('rejects the same event when its %s is the workload account\'s', async (_field, change, reason) => {
    const record = await testHandler()(ruleInput(appConfigTarget({ alarmArns: [monitoringArn] }), { ...forwardedEvent, ...change }));

    expect(record.outcome).toBe(RollbackOutcome.REJECTED);
    expect(record.reason).toMatch(reason);
    expect(appConfig.calls()).toHaveLength(0);
  });
});
