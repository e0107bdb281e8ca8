import type { BakeRules } from './decide-bake';
import { AlarmReadFailure, BakeGateLimits, BakeGateProperty } from '../../src/contract';

/** What the gate reads of a CloudFormation custom-resource request (User Guide, "Custom resource request types"). */
export interface BakeRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** Absent on Create only. */
  readonly physicalResourceId?: string;
  readonly properties: BakeGateProperties;
  /** Update only: the properties of the template being replaced. */
  readonly oldTemplateHash?: string;
  /** isComplete only: what onEvent answered, which the Provider framework passes on as `Data`. */
  readonly data: Record<string, unknown>;
}

export interface BakeGateProperties {
  readonly templateHash: string;
  readonly bakeSeconds: number;
  readonly target: string;
  readonly alarmArns: readonly string[];
  readonly rules: BakeRules;
}

/** A request the gate cannot read: the construct's defect (or a hand-edited template), never the deployment's. */
export class BakeRequestError extends Error {
  public readonly name = 'BakeRequestError';
}

const REQUEST_TYPES = new Set(['Create', 'Update', 'Delete']);

/**
 * Reads a request. A Delete needs no properties, so it is read even when they
 * are broken; anything else unreadable throws BakeRequestError, which the
 * gate answers with success, loudly.
 */
export function parseBakeRequest(input: unknown): BakeRequest {
  const event = record(input, 'the request');
  const requestType = text(event.RequestType, 'RequestType');
  if (!REQUEST_TYPES.has(requestType)) {
    throw new BakeRequestError(`RequestType is ${JSON.stringify(requestType)}; CloudFormation sends Create, Update or Delete`);
  }
  const base = {
    requestType: requestType as BakeRequest['requestType'],
    stackId: text(event.StackId, 'StackId'),
    logicalResourceId: text(event.LogicalResourceId, 'LogicalResourceId'),
    physicalResourceId: typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId !== '' ? event.PhysicalResourceId : undefined,
    data: event.Data !== undefined && typeof event.Data === 'object' && event.Data !== null ? event.Data as Record<string, unknown> : {},
  };
  if (requestType === 'Delete') {
    return { ...base, properties: EMPTY };
  }
  const old = event.OldResourceProperties !== undefined ? record(event.OldResourceProperties, 'OldResourceProperties') : undefined;
  return {
    ...base,
    properties: parseProperties(record(event.ResourceProperties, 'ResourceProperties')),
    oldTemplateHash: typeof old?.[BakeGateProperty.TEMPLATE_HASH] === 'string' ? old[BakeGateProperty.TEMPLATE_HASH] as string : undefined,
  };
}

const EMPTY: BakeGateProperties = {
  templateHash: '',
  bakeSeconds: 0,
  target: '',
  alarmArns: [],
  rules: { triggerStates: [], actOnPausedAlarms: false, blockStart: false, alarmReadFailure: AlarmReadFailure.ROLL_BACK },
};

function parseProperties(props: Record<string, unknown>): BakeGateProperties {
  const P = BakeGateProperty;
  // A number in the template reaches the provider as a string (cloudformation-coverage-roadmap#1037); either is read.
  const seconds = typeof props[P.BAKE_SECONDS] === 'number' ? props[P.BAKE_SECONDS] as number : Number(text(props[P.BAKE_SECONDS], P.BAKE_SECONDS));
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > BakeGateLimits.MAX_BAKE_SECONDS) {
    throw new BakeRequestError(`${P.BAKE_SECONDS} is ${JSON.stringify(props[P.BAKE_SECONDS])}; it must be whole seconds from 1 to ${BakeGateLimits.MAX_BAKE_SECONDS}`);
  }
  const policy = text(props[P.ALARM_READ_FAILURE], P.ALARM_READ_FAILURE);
  if (!Object.values(AlarmReadFailure).includes(policy as AlarmReadFailure)) {
    throw new BakeRequestError(`${P.ALARM_READ_FAILURE} is ${JSON.stringify(policy)}; it must be one of ${Object.values(AlarmReadFailure).join(', ')}`);
  }
  return {
    templateHash: text(props[P.TEMPLATE_HASH], P.TEMPLATE_HASH),
    bakeSeconds: seconds,
    target: text(props[P.TARGET], P.TARGET),
    alarmArns: texts(props[P.ALARM_ARNS], P.ALARM_ARNS),
    rules: {
      triggerStates: texts(props[P.TRIGGER_STATES], P.TRIGGER_STATES),
      actOnPausedAlarms: flag(props[P.ACT_ON_PAUSED_ALARMS], P.ACT_ON_PAUSED_ALARMS),
      blockStart: flag(props[P.BLOCK_START], P.BLOCK_START),
      alarmReadFailure: policy as AlarmReadFailure,
    },
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BakeRequestError(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new BakeRequestError(`${what} is ${JSON.stringify(value)}; it must be a non-empty string`);
  }
  return value;
}

function texts(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new BakeRequestError(`${what} is ${JSON.stringify(value)}; it must be a list of non-empty strings`);
  }
  return value as string[];
}

/**
 * CloudFormation passes a template's boolean to a custom resource as the
 * string "true" or "false" (cloudformation-coverage-roadmap#1037, aws-cdk#15249);
 * a real boolean is read too, should that change.
 */
function flag(value: unknown, what: string): boolean {
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new BakeRequestError(`${what} is ${JSON.stringify(value)}; it must be "true" or "false"`);
}
