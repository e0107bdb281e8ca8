import { AlarmReadFailure, BAKE_GATE_RESOURCE_TYPE, BakeGateProperty } from '../../src/contract';

// The one builder of the bake gate's custom-resource request: the gate's
// properties as the construct writes them, and the request CloudFormation
// sends around them (User Guide, "Custom resource request types"), as the
// Provider framework passes it on.

export const GATE_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/5b9c7f30-0f1e-11ef-9a31-0a1b2c3d4e5f';
export const GATE_ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx';

/** The gate's properties, every scalar a string as CloudFormation hands it over; `overrides` replace fields by property name. */
export function bakeGateProperties(hash: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider-onEvent',
    [BakeGateProperty.TEMPLATE_HASH]: hash,
    [BakeGateProperty.BAKE_SECONDS]: '600',
    [BakeGateProperty.TARGET]: 'App/Rollback/web',
    [BakeGateProperty.ALARM_ARNS]: [GATE_ALARM_ARN],
    [BakeGateProperty.TRIGGER_STATES]: ['ALARM'],
    [BakeGateProperty.ACT_ON_PAUSED_ALARMS]: 'false',
    [BakeGateProperty.BLOCK_START]: 'false',
    [BakeGateProperty.ALARM_READ_FAILURE]: AlarmReadFailure.ROLL_BACK,
    ...overrides,
  };
}

export interface BakeGateRequestOptions {
  readonly stackId?: string;
  readonly logicalId?: string;
  readonly old?: Record<string, unknown>;
  /** isComplete only: onEvent's answer, which the Provider framework merges into the request. */
  readonly onEventAnswer?: { readonly PhysicalResourceId: string; readonly Data: object };
}

/** A Create, Update or Delete of the gate; an Update carries `old` as OldResourceProperties. */
export function bakeGateRequest(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, options: BakeGateRequestOptions = {}): Record<string, unknown> {
  const stackId = options.stackId ?? GATE_STACK_ID;
  const logicalId = options.logicalId ?? 'BakeGate';
  return {
    RequestType: type,
    ServiceToken: props.ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/...',
    StackId: stackId,
    RequestId: 'a4c1d5f0-1111-2222-3333-444455556666',
    LogicalResourceId: logicalId,
    ResourceType: BAKE_GATE_RESOURCE_TYPE,
    ResourceProperties: props,
    ...type === 'Create' ? {} : { PhysicalResourceId: `${stackId}/${logicalId}` },
    ...options.old ? { OldResourceProperties: options.old } : {},
    ...options.onEventAnswer ?? {},
  };
}
