import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  RollbackStackCommand,
  StackEvent,
  UpdateStackCommand,
  paginateDescribeStackEvents,
} from '@aws-sdk/client-cloudformation';
import { aws, CREDENTIALS, json, MINUTE, sdkError } from './support';
import { CLOUDFORMATION_RULES, LocalCloudFormation, StackStatusChangeEvent, startLocalCloudFormation } from '../../local';

const T0 = Date.parse('2026-11-20T14:00:00.000Z');
const SECOND = 1000;

let server: LocalCloudFormation;
let client: CloudFormationClient;

const cfnClient = (endpoint: string) => new CloudFormationClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 3 });

beforeEach(async () => {
  // Timings: resources 30 s, rollback 30 s, cleanup 10 s (the defaults).
  server = await startLocalCloudFormation({ clock: () => T0 });
  const createdAt = T0 - 60 * MINUTE;
  server.state.seed({
    stacks: [
      { name: 'app', createdAt, resources: [{ logicalId: 'Function' }, { logicalId: 'Table', type: 'AWS::DynamoDB::Table' }] },
      { name: 'baked', createdAt, bakeGate: { bakeMs: 10 * MINUTE } },
      { name: 'plain', createdAt, bakeGate: false },
      { name: 'root', createdAt },
      { name: 'child', createdAt, parent: 'root' },
      { name: 'grandchild', createdAt, parent: 'child' },
    ],
  });
  client = cfnClient(server.endpoint);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const describe1 = async (StackName = 'app') => (await client.send(new DescribeStacksCommand({ StackName }))).Stacks![0];
const update = (StackName = 'app', ClientRequestToken?: string, extra: Partial<ConstructorParameters<typeof UpdateStackCommand>[0]> = {}) =>
  client.send(new UpdateStackCommand({ StackName, TemplateBody: '{"Resources":{"v":2}}', ClientRequestToken, ...extra }));
const cancel = (StackName = 'app', ClientRequestToken?: string) => client.send(new CancelUpdateStackCommand({ StackName, ClientRequestToken }));
const allEvents = async (StackName = 'app') => {
  const events: StackEvent[] = [];
  for await (const page of paginateDescribeStackEvents({ client }, { StackName })) events.push(...page.StackEvents!);
  return events;
};
/** Events as `time logicalId status`, oldest first, from `since`. */
const timeline = (events: StackEvent[], since = T0) => [...events].reverse()
  .filter((event) => event.Timestamp!.getTime() >= since)
  .map((event) => `+${(event.Timestamp!.getTime() - since) / SECOND}s ${event.LogicalResourceId} ${event.ResourceStatus}`);

describe('local CloudFormation with the real CloudFormationClient', () => {
  it('runs an update through its resources, the bake gate and cleanup to UPDATE_COMPLETE on the virtual clock', async () => {
    const before = await describe1('baked');
    const started = await update('baked', 'deploy-1');
    const inProgress = await describe1('baked');
    server.state.advance(30 * SECOND);
    const baking = await describe1('baked');
    server.state.advance(10 * MINUTE);
    const cleanup = await describe1('baked');
    server.state.advance(10 * SECOND);
    const complete = await describe1('baked');

    expect(before.StackStatus).toBe('CREATE_COMPLETE');
    expect(before.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/baked\/[0-9a-f-]{36}$/);
    expect(started.StackId).toBe(before.StackId);
    expect(inProgress).toMatchObject({ StackStatus: 'UPDATE_IN_PROGRESS', StackStatusReason: 'User Initiated', LastUpdatedTime: new Date(T0) });
    expect(inProgress.LastOperations).toEqual([
      { OperationType: 'UPDATE_STACK', OperationId: started.OperationId },
      { OperationType: 'CREATE_STACK', OperationId: expect.any(String) },
    ]);
    expect(baking.StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect(cleanup.StackStatus).toBe('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(complete.StackStatus).toBe('UPDATE_COMPLETE');
    const events = await allEvents('baked');
    expect(timeline(events)).toEqual([
      '+0s baked UPDATE_IN_PROGRESS',
      '+0s Function UPDATE_IN_PROGRESS',
      '+30s Function UPDATE_COMPLETE',
      '+30s BakeGate UPDATE_IN_PROGRESS',
      '+630s BakeGate UPDATE_COMPLETE',
      '+630s baked UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      '+640s baked UPDATE_COMPLETE',
    ]);
    const updateEvents = events.filter((event) => event.Timestamp!.getTime() >= T0);
    expect(new Set(updateEvents.map((event) => event.ClientRequestToken))).toEqual(new Set(['deploy-1']));
    expect(new Set(updateEvents.map((event) => event.OperationId))).toEqual(new Set([started.OperationId]));
    expect(events.find((event) => event.LogicalResourceId === 'baked')).toMatchObject({
      PhysicalResourceId: before.StackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      StackName: 'baked',
    });
  });

  it('holds the update in UPDATE_IN_PROGRESS while the gate bakes, until the gate is released', async () => {
    await update();
    server.state.advance(50 * MINUTE);
    const holding = await describe1();
    server.state.releaseBake('app', { success: true });
    server.state.advance(10 * SECOND);

    expect(holding.StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect((await describe1()).StackStatus).toBe('UPDATE_COMPLETE');
  });

  it('says when the gate starts to hold an update, and holds no more once released', async () => {
    const { OperationId } = await update();
    const beforeGate = server.state.bakeHold('app');
    server.state.advance(45 * SECOND);
    const holding = server.state.bakeHold('app');
    server.state.releaseBake('app', { success: false, reason: 'Alarm fired' });

    expect(beforeGate).toBeUndefined();
    expect(holding).toEqual({ since: T0 + 30 * SECOND, operationId: OperationId });
    expect(server.state.bakeHold('app')).toBeUndefined();
    expect(server.state.bakeHold('plain')).toBeUndefined();
  });

  it('skips the bake when the stack has no gate', async () => {
    await update('plain');
    server.state.advance(40 * SECOND);

    expect(timeline(await allEvents('plain'))).toEqual([
      '+0s plain UPDATE_IN_PROGRESS',
      '+0s Function UPDATE_IN_PROGRESS',
      '+30s Function UPDATE_COMPLETE',
      '+30s plain UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      '+40s plain UPDATE_COMPLETE',
    ]);
  });

  it('rolls the whole update back when it is cancelled during the bake', async () => {
    await update('app', 'deploy-1');
    server.state.advance(5 * MINUTE);
    await cancel('app', 'cancel-1');
    const rollingBack = await describe1();
    server.state.advance(30 * SECOND);
    const cleanup = await describe1();
    server.state.advance(10 * SECOND);
    const done = await describe1();
    const events = await allEvents();

    expect(rollingBack).toMatchObject({ StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', StackStatusReason: 'Stack update cancelled' });
    expect(cleanup.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(done.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(timeline(events, T0 + 5 * MINUTE)).toEqual([
      '+0s BakeGate UPDATE_FAILED',
      '+0s app UPDATE_ROLLBACK_IN_PROGRESS',
      '+0s Function UPDATE_IN_PROGRESS',
      '+0s Table UPDATE_IN_PROGRESS',
      '+0s BakeGate UPDATE_IN_PROGRESS',
      '+30s Function UPDATE_COMPLETE',
      '+30s Table UPDATE_COMPLETE',
      '+30s BakeGate UPDATE_COMPLETE',
      '+30s app UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      '+40s app UPDATE_ROLLBACK_COMPLETE',
    ]);
    const failed = events.find((event) => event.ResourceStatus === 'UPDATE_FAILED')!;
    expect(failed).toMatchObject({ LogicalResourceId: 'BakeGate', ResourceStatusReason: 'Resource update cancelled', ClientRequestToken: 'cancel-1' });
    expect(events.filter((event) => event.Timestamp!.getTime() < T0 + 5 * MINUTE && event.Timestamp!.getTime() >= T0)
      .every((event) => event.ClientRequestToken === 'deploy-1')).toBe(true);
  });

  it('rolls back only the resources the update had reached when cancelled before the gate', async () => {
    await update();
    server.state.advance(10 * SECOND);
    await cancel();
    server.state.advance(MINUTE);

    expect(timeline(await allEvents(), T0 + 10 * SECOND)).toEqual([
      '+0s Function UPDATE_FAILED',
      '+0s Table UPDATE_FAILED',
      '+0s app UPDATE_ROLLBACK_IN_PROGRESS',
      '+0s Function UPDATE_IN_PROGRESS',
      '+0s Table UPDATE_IN_PROGRESS',
      '+30s Function UPDATE_COMPLETE',
      '+30s Table UPDATE_COMPLETE',
      '+30s app UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      '+40s app UPDATE_ROLLBACK_COMPLETE',
    ]);
  });

  it('rolls the update back when the bake gate fails, naming the failed resource', async () => {
    await update();
    server.state.advance(2 * MINUTE);
    server.state.releaseBake('app', { success: false, reason: 'Alarm checkout-5xx entered ALARM during the bake' });
    const stack = await describe1();
    const failed = (await allEvents()).find((event) => event.ResourceStatus === 'UPDATE_FAILED')!;

    expect(stack).toMatchObject({ StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', StackStatusReason: 'The following resource(s) failed to update: [BakeGate]. ' });
    expect(failed).toMatchObject({ LogicalResourceId: 'BakeGate', ResourceStatusReason: 'Alarm checkout-5xx entered ALARM during the bake' });
  });

  it('fails the gate when nothing releases it within its timeout', async () => {
    await update();
    server.state.advance(30 * SECOND + 60 * MINUTE);
    const events = await allEvents();

    expect((await describe1()).StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(events.find((event) => event.ResourceStatus === 'UPDATE_FAILED')).toMatchObject({
      LogicalResourceId: 'BakeGate',
      Timestamp: new Date(T0 + 30 * SECOND + 60 * MINUTE),
    });
  });

  it.each([
    ['CREATE_COMPLETE (no update)', 0],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (the gate has passed)', 30 * SECOND + 10 * MINUTE],
    ['UPDATE_COMPLETE', 30 * MINUTE],
  ])('refuses CancelUpdateStack in %s with ValidationError', async (_state, after) => {
    if (after > 0) {
      await update('baked');
      server.state.advance(after);
    }
    const error = await sdkError(cancel('baked'));

    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('CancelUpdateStack cannot be called from current stack status');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect((error as unknown as { $fault: string }).$fault).toBe('client');
  });

  it('refuses a second cancel without a token while the first rolls back', async () => {
    await update();
    await cancel();
    const error = await sdkError(cancel());

    expect(error.message).toBe('CancelUpdateStack cannot be called from current stack status');
  });

  it('answers ValidationError naming the stack for a stack that does not exist', async () => {
    const error = await sdkError(describe1('nope'));

    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('Stack with id nope does not exist');
  });

  it('treats a repeated cancel token as the same request: one rollback, no error', async () => {
    await update();
    server.state.advance(MINUTE);
    await cancel('app', 'claim-1234');
    server.state.advance(5 * SECOND);
    await cancel('app', 'claim-1234');
    server.state.advance(5 * MINUTE);
    await cancel('app', 'claim-1234');
    const events = await allEvents();

    expect((await describe1()).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(events.filter((event) => event.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')).toHaveLength(1);
  });

  it('answers TokenAlreadyExistsException for a token another request used', async () => {
    await update('app', 'token-1');
    const onOtherStack = await sdkError(update('plain', 'token-1'));
    const onOtherAction = await sdkError(cancel('app', 'token-1'));

    expect(onOtherStack.name).toBe('TokenAlreadyExistsException');
    expect(onOtherAction.name).toBe('TokenAlreadyExistsException');
    expect((await describe1()).StackStatus).toBe('UPDATE_IN_PROGRESS');
  });

  it('answers a retried UpdateStack with the first operation instead of a second update', async () => {
    const first = await update('app', 'deploy-7');
    const retry = await update('app', 'deploy-7');

    expect(retry.OperationId).toBe(first.OperationId);
    expect((await describe1()).LastOperations!.filter((operation) => operation.OperationType === 'UPDATE_STACK')).toHaveLength(1);
  });

  it('refuses UpdateStack while an update runs and when nothing changes, with AWS\'s texts', async () => {
    const { StackId } = await update();
    const busy = await sdkError(update('app', undefined, { TemplateBody: '{"Resources":{"v":3}}' }));
    server.state.advance(2 * MINUTE);
    server.state.releaseBake('app', { success: true });
    server.state.advance(MINUTE);
    const same = await sdkError(update());
    const noTemplate = await sdkError(update('app', undefined, { TemplateBody: undefined }));

    expect(busy.message).toBe(`Stack:${StackId} is in UPDATE_IN_PROGRESS state and can not be updated.`);
    expect(same.message).toBe('No updates are to be performed.');
    expect(noTemplate.message).toBe('Either Template URL or Template Body must be specified.');
    expect([busy.name, same.name, noTemplate.name]).toEqual(['ValidationError', 'ValidationError', 'ValidationError']);
  });

  it('counts a parameter change as an update and keeps the parameters on the stack', async () => {
    await update('plain', undefined, { Parameters: [{ ParameterKey: 'Version', ParameterValue: '2' }] });

    expect((await describe1('plain')).Parameters).toEqual([{ ParameterKey: 'Version', ParameterValue: '2' }]);
  });

  it('validates members against the model\'s rules before acting', async () => {
    await update();
    const badToken = await sdkError(cancel('app', '-starts-with-dash'));
    const longToken = await sdkError(cancel('app', 'a'.repeat(129)));
    const badName = await sdkError(client.send(new RollbackStackCommand({ StackName: '9lives' })));
    const noName = await sdkError(client.send(new DescribeStackEventsCommand({} as never)));

    expect(badToken.message).toBe("1 validation error detected: Value '-starts-with-dash' at 'clientRequestToken' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: [a-zA-Z0-9][-a-zA-Z0-9]*');
    expect(longToken.message).toMatch(/at 'clientRequestToken' failed to satisfy constraint: Member must have length between 1 and 128$/);
    expect(badName.message).toMatch(/^1 validation error detected: Value '9lives' at 'stackName'/);
    expect(noName.message).toBe("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    expect((await describe1()).StackStatus).toBe('UPDATE_IN_PROGRESS');
  });

  it('pages DescribeStackEvents newest first, unaffected by events added between pages', async () => {
    await server.close();
    server = await startLocalCloudFormation({ clock: () => T0, eventsPageSize: 3 });
    server.state.seed({ stacks: [{ name: 'app', bakeGate: { bakeMs: MINUTE } }] });
    client = cfnClient(server.endpoint);
    await update();
    server.state.advance(30 * SECOND);
    const first = await client.send(new DescribeStackEventsCommand({ StackName: 'app' }));
    server.state.advance(2 * MINUTE); // the update completes: four more events
    const second = await client.send(new DescribeStackEventsCommand({ StackName: 'app', NextToken: first.NextToken }));
    const all = await allEvents();
    const times = all.map((event) => event.Timestamp!.getTime());

    expect(first.StackEvents).toHaveLength(3);
    expect(first.NextToken).toBeDefined();
    const after = all.findIndex((event) => event.EventId === first.StackEvents!.at(-1)!.EventId);
    expect(second.StackEvents!.map((event) => event.EventId)).toEqual(all.slice(after + 1, after + 4).map((event) => event.EventId));
    expect(second.StackEvents!.map((event) => event.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    // CREATE_COMPLETE, then the update's 7 events.
    expect(all).toHaveLength(1 + 7);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.at(-1)!.ResourceStatus).toBe('CREATE_COMPLETE');
    expect(all[0].ResourceStatus).toBe('UPDATE_COMPLETE');
    const badToken = await sdkError(client.send(new DescribeStackEventsCommand({ StackName: 'app', NextToken: 'not-a-token' })));
    expect(badToken.name).toBe('ValidationError');
  });

  it('reports a nested stack\'s parent and root', async () => {
    const [root, child, grandchild] = await Promise.all(['root', 'child', 'grandchild'].map((name) => describe1(name)));

    expect(root.ParentId).toBeUndefined();
    expect(root.RootId).toBeUndefined();
    expect(child).toMatchObject({ ParentId: root.StackId, RootId: root.StackId });
    expect(grandchild).toMatchObject({ ParentId: child.StackId, RootId: root.StackId });
  });

  it('seeds an update already in flight, settled from when it started', async () => {
    server.state.seed({
      stacks: [
        { name: 'running', createdAt: T0 - 60 * MINUTE, update: { startedAt: T0 - 5 * MINUTE, clientRequestToken: 'pipeline-run-8' } },
        { name: 'finished', createdAt: T0 - 60 * MINUTE, bakeGate: false, update: { startedAt: T0 - 5 * MINUTE } },
      ],
    });
    const running = await describe1('running');
    const retried = await update('running', 'pipeline-run-8');
    const events = await allEvents('running');

    expect(running).toMatchObject({ StackStatus: 'UPDATE_IN_PROGRESS', LastUpdatedTime: new Date(T0 - 5 * MINUTE) });
    expect(retried.OperationId).toBe(running.LastOperations![0].OperationId);
    expect(events.find((event) => event.ResourceStatus === 'UPDATE_IN_PROGRESS' && event.LogicalResourceId === 'running'))
      .toMatchObject({ Timestamp: new Date(T0 - 5 * MINUTE), ClientRequestToken: 'pipeline-run-8' });
    expect(events[0]).toMatchObject({ LogicalResourceId: 'BakeGate', ResourceStatus: 'UPDATE_IN_PROGRESS', Timestamp: new Date(T0 - 5 * MINUTE + 30 * SECOND) });
    expect((await describe1('finished')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(() => server.state.seed({ stacks: [{ name: 'bad', status: 'UPDATE_FAILED', update: { startedAt: T0 } }] })).toThrow(/seed it from a complete status/);
    await expect(describe1('bad')).rejects.toThrow('Stack with id bad does not exist');
  });

  it('finds a stack by its ARN as well as by its name', async () => {
    const { StackId } = await describe1();

    expect((await describe1(StackId)).StackName).toBe('app');
  });

  it('leaves a failed update with DisableRollback in UPDATE_FAILED until RollbackStack', async () => {
    await update('app', undefined, { DisableRollback: true });
    server.state.advance(MINUTE);
    server.state.releaseBake('app', { success: false, reason: 'Alarm fired' });
    const paused = await describe1();
    const cannotCancel = await sdkError(cancel());
    const { OperationId } = await client.send(new RollbackStackCommand({ StackName: 'app', ClientRequestToken: 'rollback-1' }));
    server.state.advance(40 * SECOND);
    const rolledBack = await describe1();
    const again = await sdkError(client.send(new RollbackStackCommand({ StackName: 'app' })));

    expect(paused).toMatchObject({ StackStatus: 'UPDATE_FAILED', DisableRollback: true });
    expect(cannotCancel.name).toBe('ValidationError');
    expect(rolledBack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(rolledBack.LastOperations![0]).toEqual({ OperationType: 'ROLLBACK', OperationId });
    expect(again.name).toBe('ValidationError');
  });

  it('resumes a failed rollback with ContinueUpdateRollback', async () => {
    server.state.seed({ stacks: [{ name: 'stuck', status: 'UPDATE_ROLLBACK_FAILED' }] });
    const refused = await sdkError(client.send(new ContinueUpdateRollbackCommand({ StackName: 'app' })));
    await client.send(new ContinueUpdateRollbackCommand({ StackName: 'stuck', ClientRequestToken: 'continue-1' }));
    const resumed = await describe1('stuck');
    server.state.advance(40 * SECOND);

    expect(refused.name).toBe('ValidationError');
    expect(resumed.StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(resumed.LastOperations![0].OperationType).toBe('CONTINUE_ROLLBACK');
    expect((await describe1('stuck')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('lists stacks filtered by status', async () => {
    await update('plain');
    const { StackSummaries } = await client.send(new ListStacksCommand({ StackStatusFilter: ['UPDATE_IN_PROGRESS'] }));
    const all = await client.send(new ListStacksCommand({}));

    expect(StackSummaries!.map((summary) => summary.StackName)).toEqual(['plain']);
    expect(all.StackSummaries).toHaveLength(6);
  });

  it('sends a Stack Status Change event at every status change, with the time it happened and the token', async () => {
    const seen: StackStatusChangeEvent[] = [];
    server.state.onStatusChange((event) => seen.push(event));
    await update('plain', 'deploy-9');
    server.state.advance(MINUTE);
    await describe1('plain');

    expect(seen.map((event) => [event.detail['status-details'].status, Date.parse(event.time) - T0, event.detail['client-request-token']])).toEqual([
      ['UPDATE_IN_PROGRESS', 0, 'deploy-9'],
      ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 30 * SECOND, 'deploy-9'],
      ['UPDATE_COMPLETE', 40 * SECOND, 'deploy-9'],
    ]);
    expect(seen[0]).toMatchObject({ 'source': 'aws.cloudformation', 'detail-type': 'CloudFormation Stack Status Change', 'resources': [seen[0].detail['stack-id']] });
  });
});

describe('local CloudFormation faults', () => {
  it('throttles with Throttling (400), which the SDK retries', async () => {
    server.faults.add({ operation: 'DescribeStacks', fault: 'throttle', times: 2 });
    const stack = await client.send(new DescribeStacksCommand({ StackName: 'app' }));

    expect(stack.$metadata.attempts).toBe(3);
    expect(server.requests.map((request) => [request.status, request.error])).toEqual([[400, 'Throttling'], [400, 'Throttling'], [200, undefined]]);
  });

  it('cancels once when the answer to a cancel is lost and the SDK retries it with the same token', async () => {
    await update();
    server.faults.add({ operation: 'CancelUpdateStack', fault: 'serverError', afterApply: true, times: 1 });
    const answer = await cancel('app', 'claim-42');
    const events = await allEvents();

    expect(answer.$metadata.attempts).toBe(2);
    const cancels = server.requests.filter((request) => request.operation === 'CancelUpdateStack');
    // The retry is answered as the request it repeats, and changes nothing.
    expect(cancels.map((request) => [request.status, request.error, request.applied])).toEqual([[500, 'InternalFailure', true], [200, undefined, undefined]]);
    expect(events.filter((event) => event.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')).toHaveLength(1);
  });

  it('answers late under a latency fault, on the service clock\'s terms', async () => {
    server.faults.add({ operation: 'DescribeStackEvents', fault: 'latency', latencyMs: 200 });
    const started = Date.now();
    const { StackEvents } = await client.send(new DescribeStackEventsCommand({ StackName: 'app' }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(StackEvents!.length).toBeGreaterThan(0);
  });
});

describe('local CloudFormation with the AWS CLI', () => {
  it('updates, reads, cancels and reports a refused cancel the way botocore parses them', async () => {
    await server.close();
    server = await startLocalCloudFormation({ clock: () => T0 });
    server.state.seed({ stacks: [{ name: 'app' }] });

    const updated = json(await aws(server.endpoint, 'cloudformation', 'update-stack', '--stack-name', 'app',
      '--template-body', '{"Resources":{}, "v": 2}', '--client-request-token', 'cli-1', '--parameters', 'ParameterKey=Version,ParameterValue=2'));
    const described = json(await aws(server.endpoint, 'cloudformation', 'describe-stacks', '--stack-name', 'app'));
    const cancelled = await aws(server.endpoint, 'cloudformation', 'cancel-update-stack', '--stack-name', 'app', '--client-request-token', 'cli-2');
    const events = json(await aws(server.endpoint, 'cloudformation', 'describe-stack-events', '--stack-name', 'app'));
    const refused = await aws(server.endpoint, 'cloudformation', 'cancel-update-stack', '--stack-name', 'app');

    expect(updated.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/app\//);
    expect(described.Stacks[0]).toMatchObject({
      StackName: 'app',
      StackStatus: 'UPDATE_IN_PROGRESS',
      Parameters: [{ ParameterKey: 'Version', ParameterValue: '2' }],
      LastOperations: [{ OperationType: 'UPDATE_STACK', OperationId: updated.OperationId }, { OperationType: 'CREATE_STACK' }],
    });
    // botocore prints query-protocol timestamps as ISO 8601.
    expect(Date.parse(described.Stacks[0].LastUpdatedTime)).toBe(T0);
    expect(cancelled.code).toBe(0);
    expect(events.StackEvents[0]).toMatchObject({ LogicalResourceId: 'Function', ResourceStatus: 'UPDATE_IN_PROGRESS', ClientRequestToken: 'cli-2' });
    expect([254, 255]).toContain(refused.code);
    expect(refused.stderr).toMatch(/\(ValidationError\) when calling the CancelUpdateStack operation: CancelUpdateStack cannot be called from current stack status/);
  });
});

// ---------------------------------------------------------------------------
// Conformance with botocore's CloudFormation model (the AWS CLI's).

interface ModelShape {
  readonly type: string;
  readonly members?: Record<string, { readonly shape: string }>;
  readonly member?: { readonly shape: string };
  readonly required?: string[];
  readonly enum?: string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly error?: { readonly code: string };
}
interface ModelOperation {
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string; readonly resultWrapper?: string };
  readonly errors?: { readonly shape: string }[];
}
interface Model {
  readonly operations: Record<string, ModelOperation>;
  readonly shapes: Record<string, ModelShape>;
}

/** botocore's cloudformation 2010-05-15 model, from the Python package the AWS CLI runs on. */
function loadModel(): Model {
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('botocore is not importable by python3. These tests read its CloudFormation model; install the AWS CLI (CI installs Debian\'s awscli package).');
  }
  const base = join(dir, 'data', 'cloudformation', '2010-05-15');
  try {
    return JSON.parse(gunzipSync(readFileSync(join(base, 'service-2.json.gz'))).toString('utf8'));
  } catch {
    return JSON.parse(readFileSync(join(base, 'service-2.json'), 'utf8'));
  }
}

/**
 * Errors every CloudFormation action may answer besides its modeled ones:
 * the API Reference's "Common Errors" (ValidationError, InternalFailure,
 * MissingAction, InvalidAction, ...), and Throttling, the code CloudFormation
 * answers over its rate (aws/aws-sam-cli#2671; the generic page now spells it
 * ThrottlingException, which the SDKs retry too).
 */
const COMMON_ERRORS = new Set([
  'ValidationError', 'Throttling', 'ThrottlingException', 'InternalFailure', 'ServiceUnavailable', 'MissingAction', 'InvalidAction', 'MissingParameter',
]);

/** A minimal XML tree: the emulator's answers have no attributes but xmlns, no mixed content, no CDATA. */
interface XmlNode { readonly name: string; readonly children: XmlNode[]; text: string }
function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#root', children: [], text: '' };
  const stack = [root];
  for (const match of xml.matchAll(/<(\/?)([A-Za-z][\w]*)[^>]*?(\/?)>|([^<]+)/g)) {
    const [, closing, name, selfClosing, text] = match;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      top.text += text;
    } else if (closing) {
      expect(top.name).toBe(name);
      stack.pop();
    } else {
      const node: XmlNode = { name, children: [], text: '' };
      top.children.push(node);
      if (!selfClosing) stack.push(node);
    }
  }
  return root.children[0];
}

/** Every problem with `node` as a value of `shapeName`: unknown members, missing required ones, bad enum values. */
function conformance(model: Model, node: XmlNode, shapeName: string, path: string): string[] {
  const shape = model.shapes[shapeName];
  if (shape.type === 'structure') {
    const problems = node.children.flatMap((child) => (shape.members?.[child.name]
      ? conformance(model, child, shape.members[child.name].shape, `${path}.${child.name}`)
      : [`${path}.${child.name} is not a member of ${shapeName}`]));
    const missing = (shape.required ?? []).filter((member) => !node.children.some((child) => child.name === member));
    return [...problems, ...missing.map((member) => `${path} lacks required ${shapeName}.${member}`)];
  }
  if (shape.type === 'list') {
    return node.children.flatMap((child, index) => (child.name === 'member'
      ? conformance(model, child, shape.member!.shape, `${path}[${index}]`)
      : [`${path} has <${child.name}> where a list has <member>`]));
  }
  if (shape.enum && !shape.enum.includes(node.text)) return [`${path} = ${node.text} is not in ${shapeName}'s enum`];
  if (shape.type === 'timestamp' && Number.isNaN(Date.parse(node.text))) return [`${path} = ${node.text} is not an ISO 8601 timestamp`];
  if (shape.type === 'boolean' && !['true', 'false'].includes(node.text)) return [`${path} = ${node.text} is not a boolean`];
  return [];
}

describe('local CloudFormation against botocore\'s model', () => {
  const model = loadModel();

  it('validates with rules generated from the model: every member of each input shape has the model\'s constraints', () => {
    const constraints = (shape: { min?: number; max?: number; pattern?: string; enum?: readonly string[]; type: string }) =>
      ({ type: shape.type, min: shape.min, max: shape.max, pattern: shape.pattern, enum: shape.enum });
    let members = 0;
    for (const [operation, rule] of Object.entries(CLOUDFORMATION_RULES.operations)) {
      const modelled = model.shapes[model.operations[operation].input!.shape];
      const generated = CLOUDFORMATION_RULES.shapes[rule.input!];
      expect({ operation, required: generated.required ?? [] }).toEqual({ operation, required: modelled.required ?? [] });
      expect({ operation, members: Object.keys(generated.members ?? {}) }).toEqual({ operation, members: Object.keys(modelled.members ?? {}) });
      for (const [member, target] of Object.entries(modelled.members ?? {})) {
        expect({ operation, member, ...constraints(CLOUDFORMATION_RULES.shapes[target.shape]) })
          .toEqual({ operation, member, ...constraints(model.shapes[target.shape] as never) });
        members++;
      }
    }
    expect(members).toBeGreaterThan(30);
  });

  it('refuses, through the form encoding, a request without each required member and nested members that break the model, all in one ValidationError', async () => {
    const post = async (members: Record<string, string>) => {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({ Version: '2010-05-15', ...members }).toString(),
      });
      return { status: response.status, body: await response.text() };
    };
    const checked: string[] = [];
    for (const [operation, rule] of Object.entries(CLOUDFORMATION_RULES.operations)) {
      for (const member of CLOUDFORMATION_RULES.shapes[rule.input!].required ?? []) {
        const answer = await post({ Action: operation });
        expect({ operation, member, status: answer.status }).toEqual({ operation, member, status: 400 });
        expect(answer.body).toContain('<Code>ValidationError</Code>');
        expect(answer.body).toContain(`Value null at &apos;${member.charAt(0).toLowerCase()}${member.slice(1)}&apos; failed to satisfy constraint: Member must not be null`);
        checked.push(`${operation}.${member}`);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['CancelUpdateStack.StackName', 'UpdateStack.StackName', 'RollbackStack.StackName']));

    // Lists, structures in lists, enums and booleans, read from Prefix.member.N[.Member] by the model's shapes.
    const nested = await post({
      'Action': 'UpdateStack',
      'StackName': 'app',
      'UsePreviousTemplate': 'true',
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_EVERYTHING',
      'Parameters.member.1.ParameterKey': 'Version',
      'Parameters.member.1.UsePreviousValue': 'maybe',
      'Tags.member.1.Value': 'no key',
    });
    expect(nested.status).toBe(400);
    expect(nested.body).toContain('3 validation errors detected');
    expect(nested.body).toContain('Value &apos;CAPABILITY_EVERYTHING&apos; at &apos;capabilities.2&apos; failed to satisfy constraint: Member must satisfy enum value set');
    expect(nested.body).toContain('Value &apos;maybe&apos; at &apos;parameters.1.usePreviousValue&apos; failed to satisfy constraint: Member must be a boolean');
    expect(nested.body).toContain('Value null at &apos;tags.1.key&apos; failed to satisfy constraint: Member must not be null');
    // Nothing was applied: the stack is as it was.
    expect(server.requests.at(-1)!.applied).toBeUndefined();
  });

  it('answers only members of each operation\'s output shape, and only errors the model or the common errors name', async () => {
    const responses: { operation: string; status: number; body: string }[] = [];
    const call = async (operation: string, members: Record<string, string> = {}) => {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({ Action: operation, Version: '2010-05-15', ...members }).toString(),
      });
      responses.push({ operation, status: response.status, body: await response.text() });
    };
    // Every success and every refusal the emulator has, operation by operation.
    await call('DescribeStacks');
    await call('DescribeStacks', { StackName: 'child' });
    await call('DescribeStacks', { StackName: 'nope' });
    await call('DescribeStacks', { NextToken: 'x' });
    await call('ListStacks', { 'StackStatusFilter.member.1': 'CREATE_COMPLETE' });
    await call('UpdateStack', { 'StackName': 'app', 'TemplateBody': '{"v":2}', 'ClientRequestToken': 'u1', 'Parameters.member.1.ParameterKey': 'P', 'Parameters.member.1.ParameterValue': 'v' });
    await call('UpdateStack', { StackName: 'app', TemplateBody: '{"v":3}' });
    await call('UpdateStack', { StackName: 'plain', TemplateBody: '{"v":2}', ClientRequestToken: 'u1' });
    await call('UpdateStack', { StackName: 'plain' });
    await call('UpdateStack', { StackName: 'plain', TemplateBody: '{"Resources":{}}' });
    await call('UpdateStack', { TemplateBody: '{"v":2}' });
    await call('DescribeStackEvents', { StackName: 'app' });
    await call('DescribeStackEvents', { StackName: 'app', NextToken: 'bad' });
    await call('CancelUpdateStack', { StackName: 'app', ClientRequestToken: 'c1' });
    await call('CancelUpdateStack', { StackName: 'app', ClientRequestToken: 'c1' });
    await call('CancelUpdateStack', { StackName: 'app', ClientRequestToken: 'u1' });
    await call('CancelUpdateStack', { StackName: 'plain' });
    await call('CancelUpdateStack', { StackName: 'app', ClientRequestToken: '-' });
    await call('RollbackStack', { StackName: 'plain' });
    await call('RollbackStack', { StackName: '1bad' });
    await call('UpdateStack', { StackName: 'root', TemplateBody: '{"v":2}', DisableRollback: 'true' });
    server.state.advance(MINUTE);
    server.state.releaseBake('root', { success: false });
    await call('RollbackStack', { StackName: 'root', ClientRequestToken: 'r1' });
    await call('ContinueUpdateRollback', { StackName: 'root' });
    server.state.seed({ stacks: [{ name: 'stuck', status: 'UPDATE_ROLLBACK_FAILED' }] });
    await call('ContinueUpdateRollback', { StackName: 'stuck' });
    await call('DescribeStacks', { StackName: 'plain' });
    await call('DescribeStackEvents', { StackName: 'plain' });
    server.faults.add({ operation: 'DescribeStacks', fault: 'throttle', times: 1 });
    server.faults.add({ operation: 'ListStacks', fault: 'serverError', times: 1 });
    await call('DescribeStacks');
    await call('ListStacks');

    const problems: string[] = [];
    const seenErrors = new Set<string>();
    for (const { operation, status, body } of responses) {
      const root = parseXml(body);
      if (status !== 200) {
        const error = root.children.find((child) => child.name === 'Error')!;
        const field = (name: string) => error.children.find((child) => child.name === name)?.text;
        const code = field('Code')!;
        seenErrors.add(`${operation}:${code}`);
        const modeled = (model.operations[operation].errors ?? []).map((ref) => model.shapes[ref.shape].error?.code ?? ref.shape);
        if (!modeled.includes(code) && !COMMON_ERRORS.has(code)) problems.push(`${operation} answered ${code}, which neither its model nor the common errors name`);
        expect(root.name).toBe('ErrorResponse');
        expect(field('Type')).toBe(status >= 500 ? 'Receiver' : 'Sender');
        expect(field('Message')).toBeTruthy();
        expect(root.children.map((child) => child.name)).toEqual(['Error', 'RequestId']);
        continue;
      }
      const output = model.operations[operation].output;
      expect(root.name).toBe(`${operation}Response`);
      const result = root.children.filter((child) => child.name !== 'ResponseMetadata');
      if (!output) {
        if (result.length > 0) problems.push(`${operation} has no output shape but answered <${result[0].name}>`);
        continue;
      }
      expect(result.map((child) => child.name)).toEqual([output.resultWrapper]);
      problems.push(...conformance(model, result[0], output.shape, operation));
    }

    expect(problems).toEqual([]);
    // The run reached every refusal it meant to.
    expect([...seenErrors].sort()).toEqual([
      'CancelUpdateStack:TokenAlreadyExistsException',
      'CancelUpdateStack:ValidationError',
      'ContinueUpdateRollback:ValidationError',
      'DescribeStackEvents:ValidationError',
      'DescribeStacks:Throttling',
      'DescribeStacks:ValidationError',
      'ListStacks:InternalFailure',
      'RollbackStack:ValidationError',
      'UpdateStack:TokenAlreadyExistsException',
      'UpdateStack:ValidationError',
    ]);
    expect(responses.filter((response) => response.status === 200).map((response) => response.operation)).toEqual(expect.arrayContaining([
      'DescribeStacks', 'ListStacks', 'UpdateStack', 'DescribeStackEvents', 'CancelUpdateStack', 'RollbackStack', 'ContinueUpdateRollback',
    ]));
  });
});
