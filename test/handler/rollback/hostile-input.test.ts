import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { INPUT_VERSION, RollbackOutcome, Rules } from '../../../src/contract';
import metricAlarmEvent from '../../fixtures/metric-alarm-state-change.json';
import { appConfigTarget, captureLogs, protonTarget, ruleInput, testHandler } from '../support';

const appConfig = mockClient(AppConfigClient);
const proton = mockClient(ProtonClient);
const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  logs = captureLogs();
});
afterAll(() => logs.restore());
beforeEach(() => {
  for (const mock of [appConfig, proton, dynamo, sns]) {
    mock.reset();
  }
  dynamo.on(PutItemCommand).resolves({});
});

const REFUSED = new Set<string>([RollbackOutcome.IGNORED, RollbackOutcome.REJECTED]);
const handler = testHandler({ topicArn: 'arn:aws:sns:us-east-1:123456789012:rollbacks' });

/** Runs one input and checks the invariant: refused with a reason, recorded once, nothing else called. */
async function refusedWithoutAwsCalls(input: unknown): Promise<void> {
  appConfig.resetHistory();
  proton.resetHistory();
  dynamo.resetHistory();
  const record = await handler(input);
  expect(REFUSED.has(record.outcome)).toBe(true);
  expect(record.reason.length).toBeGreaterThan(10);
  expect(record.reason.length).toBeLessThan(600);
  expect(appConfig.calls()).toHaveLength(0);
  expect(proton.calls()).toHaveLength(0);
  expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(1);
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', '\u0000', '\u202e', 'ALARM\n'),
  fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'a'.repeat(length)),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
);

/** Paths of the event the handler reads; changing any of them must refuse the event. */
const CHECKED_PATHS = [
  ['source'], ['detail-type'], ['id'], ['time'], ['resources'], ['account'], ['region'],
  ['detail'], ['detail', 'state'], ['detail', 'state', 'value'],
];

function withField(event: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Record<string, unknown>;
  }
  Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function without(event: unknown, path: string[]): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Record<string, unknown>;
  }
  delete node[path[path.length - 1]];
  return copy;
}

function valueAt(event: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], event);
}

describe('hostile and malformed input', () => {
  it('refuses any JSON value as the whole input', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (input) => {
      fc.pre(!(typeof input === 'object' && input !== null && (input as Record<string, unknown>).version === INPUT_VERSION));
      await refusedWithoutAwsCalls(input);
    }), { numRuns: 200 });
  });

  it('refuses any object in place of the event', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.object(), hostileValue), async (event) => {
      await refusedWithoutAwsCalls(ruleInput(appConfigTarget(), event));
    }), { numRuns: 200 });
  });

  it('refuses the real event with any checked field changed to a hostile value', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CHECKED_PATHS), hostileValue, async (path, value) => {
      fc.pre(JSON.stringify(value) !== JSON.stringify(valueAt(metricAlarmEvent, path)));
      await refusedWithoutAwsCalls(ruleInput(appConfigTarget(), withField(metricAlarmEvent, path, value)));
    }), { numRuns: 400 });
  });

  it('refuses the real event with any checked field missing', async () => {
    for (const path of CHECKED_PATHS) {
      await refusedWithoutAwsCalls(ruleInput(protonTarget(), without(metricAlarmEvent, path)));
    }
  });

  it('refuses alarms of other targets, other accounts and other regions', async () => {
    const otherAlarm = fc.record({
      partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
      account: fc.stringMatching(/^\d{12}$/),
      name: fc.string({ minLength: 1, maxLength: 60 }).filter((name) => name !== 'checkout-5xx-rate'),
    });
    await fc.assert(fc.asyncProperty(otherAlarm, fc.boolean(), async (alarm, consistent) => {
      const arn = `arn:${alarm.partition}:cloudwatch:${alarm.region}:${alarm.account}:alarm:${alarm.name}`;
      const event = {
        ...structuredClone(metricAlarmEvent),
        resources: [arn],
        account: consistent ? alarm.account : '999999999999',
        region: consistent ? alarm.region : 'mars-north-1',
      };
      await refusedWithoutAwsCalls(ruleInput(appConfigTarget(), event));
    }), { numRuns: 200 });
  });

  it('refuses malformed targets in the rule input', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('kind', 'name', 'alarmArns', 'applicationId', 'environmentId', 'revertCompletedWithinSeconds'),
      hostileValue,
      async (key, value) => {
        const target = { ...appConfigTarget(), [key]: value };
        fc.pre(JSON.stringify(value) !== JSON.stringify((appConfigTarget() as unknown as Record<string, unknown>)[key]));
        // A value the contract accepts is not hostile (the generator finds `aaaa`, a valid AppConfig id, now and then).
        fc.pre(!(key === 'name' && Rules.TARGET_NAME.test(value)));
        fc.pre(!(key === 'revertCompletedWithinSeconds' && Number.isInteger(value) && (value as number) >= 0 && (value as number) <= Rules.MAX_REVERT_WINDOW_SECONDS));
        fc.pre(!((key === 'applicationId' || key === 'environmentId') && Rules.APPCONFIG_ID.test(value)));
        await refusedWithoutAwsCalls({ version: INPUT_VERSION, target, event: metricAlarmEvent });
      },
    ), { numRuns: 200 });
  });

  it('leaves Object.prototype untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
