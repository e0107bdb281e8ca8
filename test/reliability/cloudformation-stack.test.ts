import { ScenarioFigures } from './figures';
import {
  alarmArn,
  alarmEvent,
  callsOf,
  countOutcomes,
  handlerEnv,
  happeningNow,
  invokerFor,
  ledgerItems,
  recordScenario,
  ROLLBACK_NAME,
  ruleInput,
  stackTarget,
  startLedger,
} from './support';
import { AsyncInvoker, LocalCloudFormation, LocalDynamo, startLocalCloudFormation } from '../../local';
import { RollbackInput } from '../../src/contract';

// CloudFormation stack targets: a storm of alarm events while a bake gate
// holds the stack's update open, through the bundled handler on several
// execution environments sharing one ledger, against the local CloudFormation.
const SUITE = 'cloudformation-stack';
const INSTANCES = 8;
const MINUTE = 60_000;
const ALARMS = ['checkout-5xx-rate', 'checkout-latency-p99', 'checkout-errors', 'checkout-health'];
const TARGET = stackTarget({ stackName: 'Checkout', alarmArns: ALARMS.map(alarmArn), name: `${ROLLBACK_NAME}/Checkout` });

let cloudFormation: LocalCloudFormation;
let dynamo: LocalDynamo;
let invoker: AsyncInvoker | undefined;
let startedAt: number;

beforeEach(async () => {
  startedAt = Date.now();
  cloudFormation = await startLocalCloudFormation();
  // Created an hour ago; an update started a minute ago, its resources updated
  // after 30 s, and its bake gate holds the update open (no bake end set).
  cloudFormation.state.seed({ stacks: [{ name: 'Checkout', createdAt: Date.now() - 60 * MINUTE, update: { startedAt: Date.now() - MINUTE } }] });
  dynamo = await startLedger();
});

afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await Promise.all([cloudFormation.close(), dynamo.close()]);
});

const events = (count: number): RollbackInput[] => Array.from({ length: count }, (_, index) =>
  ruleInput(TARGET, alarmEvent({ alarmName: ALARMS[index % ALARMS.length], ...happeningNow() })));

const figures = (scenario: string, inputs: readonly RollbackInput[]): Promise<ScenarioFigures> => recordScenario({
  suite: SUITE,
  scenario,
  inputs,
  requests: cloudFormation.requests,
  action: 'CancelUpdateStack',
  ledger: dynamo,
  deadLetters: invoker!.deadLetters,
  startedAt,
});

describe('one stack update held by its bake, many alarms', () => {
  it(`makes exactly one CancelUpdateStack call for 100 concurrent alarms on ${INSTANCES} instances, and the update rolls back`, async () => {
    expect(cloudFormation.state.describeStack('Checkout').stackStatus).toBe('UPDATE_IN_PROGRESS');
    // Without Lambda's retries: an event that reads the stack between the
    // cancel and its events settles in its one attempt, so none is FAILED
    // (which would notify a person) and none is dead-lettered.
    invoker = invokerFor(handlerEnv({ cloudFormation: cloudFormation.endpoint, dynamo: dynamo.endpoint }), INSTANCES, { retryAttempts: 0 });
    const inputs = events(100);

    const results = await Promise.all(inputs.map((input) => invoker!.invoke(input)));

    expect(results.every((result) => result.status === 'SUCCEEDED' && result.attempts.length === 1)).toBe(true);
    const cancels = callsOf(cloudFormation.requests, 'CancelUpdateStack');
    expect(cancels).toHaveLength(1);
    expect(String(cancels[0].params.ClientRequestToken)).toMatch(/^alarm-rollback-[0-9a-f]{64}$/);
    expect(cloudFormation.state.describeStack('Checkout').stackStatus).toMatch(/^UPDATE_ROLLBACK_/);
    const records = await ledgerItems(dynamo);
    expect(records).toHaveLength(100);
    expect(countOutcomes(records)).toEqual({ CANCEL_REQUESTED: 1, ALREADY_STOPPED: 99 });
    const counted = await figures('100 alarms during a bake', inputs);
    expect(counted).toMatchObject({ recorded: 100, deadLettered: 0, eventsLost: 0, duplicateActions: 0 });
  });
});
