import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { INPUT_VERSION, RollbackOutcome } from '../../../src/contract';
import backToOk from '../../fixtures/metric-alarm-back-to-ok.json';
import { alarmEvent, appConfigTarget, captureLogs, ruleInput, testHandler } from '../support';

const appConfig = mockClient(AppConfigClient);
const proton = mockClient(ProtonClient);
const dynamo = mockClient(DynamoDBClient);
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  appConfig.reset();
  proton.reset();
  dynamo.reset();
  dynamo.on(PutItemCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => {
  // Bad input never reaches AppConfig or Proton, and is recorded in the ledger.
  expect(appConfig.calls()).toHaveLength(0);
  expect(proton.calls()).toHaveLength(0);
  expect(dynamo).toHaveReceivedCommandTimes(PutItemCommand, 1);
  logs.restore();
});

const cases: Array<[string, unknown, RollbackOutcome, RegExp]> = [
  ['an alarm that went back to OK', ruleInput(appConfigTarget(), backToOk), RollbackOutcome.IGNORED, /entered "OK"/],
  ['another source', ruleInput(appConfigTarget(), alarmEvent({ changes: { source: 'aws.ec2' } })), RollbackOutcome.IGNORED, /source is "aws.ec2"/],
  ['another detail-type', ruleInput(appConfigTarget(), alarmEvent({ changes: { 'detail-type': 'EC2 Instance State-change Notification' } })), RollbackOutcome.IGNORED, /detail-type/],
  ['an alarm of another target', ruleInput(appConfigTarget({ alarmArns: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:other'] })), RollbackOutcome.REJECTED, /not one of the alarms of target/],
  ['an event without detail.state', ruleInput(appConfigTarget(), alarmEvent({ changes: { detail: { alarmName: 'x' } } })), RollbackOutcome.REJECTED, /detail.state/],
  ['an event naming two alarms', ruleInput(appConfigTarget(), alarmEvent({ changes: { resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:a', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:b'] } })), RollbackOutcome.REJECTED, /exactly one alarm ARN/],
  ['an event whose resource is not an alarm ARN', ruleInput(appConfigTarget(), alarmEvent({ changes: { resources: ['arn:aws:sqs:us-east-1:123456789012:queue'] } })), RollbackOutcome.REJECTED, /exactly one alarm ARN/],
  ['an event without an id', ruleInput(appConfigTarget(), alarmEvent({ changes: { id: 42 } })), RollbackOutcome.REJECTED, /event id is 42/],
  ['an event with an unreadable time', ruleInput(appConfigTarget(), alarmEvent({ changes: { time: 'yesterday' } })), RollbackOutcome.REJECTED, /event time is "yesterday"/],
  ['an event that is not an object', ruleInput(appConfigTarget(), 'ALARM'), RollbackOutcome.REJECTED, /not an EventBridge event object/],
  ['an input that is not an object', [1, 2], RollbackOutcome.REJECTED, /not an object/],
  ['an input of another version', { ...ruleInput(appConfigTarget()), version: 1 }, RollbackOutcome.REJECTED, /version is 1/],
  ['an input with an unknown target kind', ruleInput({ ...appConfigTarget(), kind: 'ecs' as never }), RollbackOutcome.REJECTED, /target.kind is "ecs"/],
  ['an input with a malformed application id', ruleInput(appConfigTarget({ applicationId: 'NOT AN ID' })), RollbackOutcome.REJECTED, /target.applicationId/],
  ['an input with a revert window over 72 hours', ruleInput(appConfigTarget({ revertCompletedWithinSeconds: 73 * 3600 })), RollbackOutcome.REJECTED, /revertCompletedWithinSeconds/],
  ['an input whose target only exists on the prototype', JSON.parse(`{"version":${INPUT_VERSION},"__proto__":{"target":{}}}`), RollbackOutcome.REJECTED, /target is undefined/],
];

describe('bad input', () => {
  it.each(cases)('records %s without calling AWS', async (_name, input, outcome, reason) => {
    const record = await testHandler()(input);

    expect(record.outcome).toBe(outcome);
    expect(record.reason).toMatch(reason);
  });

  it('records an input with no readable target or event id under the request id', async () => {
    const record = await testHandler()([1, 2], { awsRequestId: 'req-9' });

    expect(record).toMatchObject({ outcome: RollbackOutcome.REJECTED, target: '(unknown target)', eventId: 'req-9', requestId: 'req-9' });
    const item = dynamo.commandCalls(PutItemCommand)[0].args[0].input.Item!;
    expect(item.pk.S).toBe('TARGET#(unknown target)');
    expect(item.sk.S).toMatch(/^EVENT#\d{4}-.+#req-9$/);
  });

  it('keeps reason texts short when the bad value is huge', async () => {
    const record = await testHandler()(ruleInput(appConfigTarget(), alarmEvent({ changes: { source: 'x'.repeat(100_000) } })));

    expect(record.outcome).toBe(RollbackOutcome.IGNORED);
    expect(record.reason.length).toBeLessThan(200);
  });
});
