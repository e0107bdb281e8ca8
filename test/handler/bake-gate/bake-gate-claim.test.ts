import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createBakeGate } from '../../../lambda/bake-gate/bake-gate';
import { CallTrace } from '../../../lambda/shared/call-trace';
import { decideStackAction } from '../../../lambda/targets/cloudformation-stack/decide-stack-action';
import { findUpdateInFlight } from '../../../lambda/targets/cloudformation-stack/find-update-in-flight';
import { BakeGateProperty } from '../../../src/contract';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'us-east-1' });

const ROOT_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
const CHILD_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web-Api-1ABC/77aa0000-0f1e-11ef-9a31-0a1b2c3d4e5f';
const UPDATE_AT = Date.parse('2026-11-20T14:00:00.000Z');
const GATE_AT = UPDATE_AT + 4 * 60_000;

function stackEvent(stackId: string, status: string, at: number, logicalId: string): StackEvent {
  return {
    StackId: stackId,
    StackName: logicalId,
    EventId: `${logicalId}-${status}-${at}`,
    LogicalResourceId: logicalId,
    PhysicalResourceId: stackId,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as never,
    Timestamp: new Date(at),
  };
}

beforeEach(() => {
  cfn.reset();
  cfn.on(DescribeStacksCommand, { StackName: CHILD_ID }).resolves({
    Stacks: [{ StackId: CHILD_ID, StackName: 'web-Api-1ABC', StackStatus: 'UPDATE_IN_PROGRESS', RootId: ROOT_ID, ParentId: ROOT_ID, CreationTime: new Date(0) }],
  });
  for (const name of [ROOT_ID, 'web']) {
    cfn.on(DescribeStacksCommand, { StackName: name }).resolves({ Stacks: [{ StackId: ROOT_ID, StackName: 'web', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] });
  }
  cfn.on(DescribeStackEventsCommand, { StackName: ROOT_ID }).resolves({
    StackEvents: [
      stackEvent(CHILD_ID, 'UPDATE_COMPLETE', UPDATE_AT + 3 * 60_000, 'Api'),
      stackEvent(CHILD_ID, 'UPDATE_IN_PROGRESS', UPDATE_AT + 60_000, 'Api'),
      stackEvent(ROOT_ID, 'UPDATE_IN_PROGRESS', UPDATE_AT, 'web'),
      stackEvent(ROOT_ID, 'CREATE_COMPLETE', UPDATE_AT - 86_400_000, 'web'),
    ],
  });
});

describe('one claim per update, whichever path acts', () => {
  it('gives a gate in a nested stack and an alarm event on its root the same claim key', async () => {
    const gate = createBakeGate({
      now: () => GATE_AT,
      readStack: (stackId, at) => findUpdateInFlight(client, new CallTrace(), stackId, at, at),
      readAlarms: async () => ({ ok: true, alarms: [], missing: [], elsewhere: [] }),
      claimUpdate: async () => true,
      report: async () => undefined,
    });
    const answer = await gate.onEvent({
      RequestType: 'Update',
      StackId: CHILD_ID,
      LogicalResourceId: 'BakeGate',
      PhysicalResourceId: `${CHILD_ID}/BakeGate`,
      ResourceType: 'Custom::AlarmRollbackBakeGate',
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
        [BakeGateProperty.TEMPLATE_HASH]: 'h2',
        [BakeGateProperty.BAKE_SECONDS]: '600',
        [BakeGateProperty.TARGET]: 'App/Rollback/web',
        [BakeGateProperty.ALARM_ARNS]: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx'],
        [BakeGateProperty.TRIGGER_STATES]: ['ALARM'],
        [BakeGateProperty.ACT_ON_PAUSED_ALARMS]: 'false',
        [BakeGateProperty.BLOCK_START]: 'false',
        [BakeGateProperty.ALARM_READ_FAILURE]: 'ROLL_BACK',
      },
      OldResourceProperties: { [BakeGateProperty.TEMPLATE_HASH]: 'h1' },
    });

    const alarmAt = UPDATE_AT + 5 * 60_000;
    const found = await findUpdateInFlight(client, new CallTrace(), 'web', alarmAt, alarmAt);
    const action = decideStackAction(found, alarmAt, alarmAt);

    expect(answer.Data).toMatchObject({ Mode: 'BAKE', UpdateStartedAt: '2026-11-20T14:00:00.000Z' });
    expect(action.kind).toBe('CANCEL');
    expect(answer.Data.ClaimKey).toBe(action.update?.claimKey);
    expect(answer.Data.ClaimKey).toBe(`${ROOT_ID}@2026-11-20T14:00:00.000Z`);
  });
});
