import { createHash } from 'crypto';
import { AlarmStateTargetParameter, ExtensionParameter, Rules, parseAlarmArn } from '../../src/contract';
import { describe, field, isRecord, readFlag, readTriggerStates } from '../shared/wire/fields';

/** The two action points the construct's extension invokes the alarm-state check at. */
export type CheckPoint = 'TICK' | 'START';

/** An extension call the check can act on. */
export interface ExtensionCall {
  readonly ok: true;
  readonly point: CheckPoint;
  /**
   * AppConfig's id of this invocation, or one derived from the payload when it
   * carries none: the owner of a claim a tick takes, and the record's event id.
   */
  readonly invocationId: string;
  readonly target: AlarmStateTargetParameter;
  readonly alarmArns: string[];
  /** The deployment the call is about; without one a tick still decides, but claims nothing. */
  readonly deploymentNumber?: number;
  /** Fields the record would have liked and the payload did not carry readably; they never change the answer. */
  readonly notes: string[];
}

/**
 * A payload the check cannot act on: a defect of the deployment of the
 * construct (or of a hand-made association), recorded as REJECTED and
 * answered as the check's own fault (see `alarm-state.lambda.ts`).
 */
export interface MalformedCall {
  readonly ok: false;
  readonly reason: string;
  readonly point?: CheckPoint;
  readonly invocationId?: string;
  readonly target?: AlarmStateTargetParameter;
}

/**
 * The `Type` values of the two action points. The AppConfig User Guide's
 * payload reference ("Step 1: Create a Lambda function for a custom AWS
 * AppConfig extension") shows `Type` in the PascalCase of the action point
 * (`OnDeploymentStart`); it does not list every value, so the action point's
 * own UPPER_SNAKE name is accepted too.
 */
const POINTS: Record<string, CheckPoint> = {
  AtDeploymentTick: 'TICK',
  AT_DEPLOYMENT_TICK: 'TICK',
  PreStartDeployment: 'START',
  PRE_START_DEPLOYMENT: 'START',
};

/** Our own cap on AppConfig's invocation id: AWS documents no format for it; it becomes part of ledger keys. */
const MAX_INVOCATION_ID_LENGTH = 128;

/**
 * Reads AppConfig's request to the extension: `InvocationId`, `Type`,
 * `Parameters` (the association's values: `Target` and `Alarms1`..`Alarms9`),
 * `Application.Id`, `Environment.Id` and `DeploymentNumber`, the fields of the
 * User Guide's payload reference and of the requests aws-samples' tick
 * extensions read. Nothing is trusted: every field is checked for type and size.
 */
export function parseExtensionPayload(payload: unknown): ExtensionCall | MalformedCall {
  if (!isRecord(payload)) {
    return { ok: false, reason: `the payload is ${describe(payload)}, not an AppConfig extension request object` };
  }
  const notes: string[] = [];
  // aws-samples' tick extensions (Datadog, New Relic) never read Type: a
  // payload without one is read as a tick, whose answer AppConfig also
  // accepts at a start (only an error refuses a start), so no start is ever
  // refused for want of it. A Type naming another action point means the
  // function was attached to an action the construct does not create.
  const type = field(payload, 'Type');
  const point = type === undefined ? 'TICK' : typeof type === 'string' && Object.prototype.hasOwnProperty.call(POINTS, type) ? POINTS[type] : undefined;
  if (point === undefined) {
    return { ok: false, reason: `the payload's Type is ${describe(type)}; the extension invokes this function only AT_DEPLOYMENT_TICK and PRE_START_DEPLOYMENT` };
  }
  if (type === undefined) {
    notes.push('the payload carries no Type; it was read as a tick');
  }
  const invocationId = invocationIdOf(payload, notes);
  const seen = { point, invocationId };
  const parameters = field(payload, 'Parameters');
  if (!isRecord(parameters)) {
    return { ok: false, ...seen, reason: `the payload's Parameters are ${describe(parameters)}; redeploy the stack so the extension association carries them` };
  }
  const target = parseTarget(field(parameters, ExtensionParameter.TARGET));
  if (typeof target === 'string') {
    return { ok: false, ...seen, reason: `the ${ExtensionParameter.TARGET} parameter is malformed: ${target}; redeploy the stack so the extension association is regenerated` };
  }
  const withTarget = { ...seen, target };
  const alarmArns = parseAlarms(parameters);
  if (typeof alarmArns === 'string') {
    return { ok: false, ...withTarget, reason: `${alarmArns}; redeploy the stack so the extension association is regenerated` };
  }
  // The association is made on the target's own environment; a call about
  // another one means the parameters were copied or edited by hand.
  for (const [member, expected] of [['Application', target.applicationId], ['Environment', target.environmentId]] as const) {
    const ref = field(payload, member);
    const id = isRecord(ref) ? field(ref, 'Id') : undefined;
    if (id !== undefined && id !== expected) {
      return { ok: false, ...withTarget, reason: `the payload's ${member}.Id is ${describe(id)}, but the ${ExtensionParameter.TARGET} parameter names ${expected}; associate the extension through AlarmRollback only` };
    }
  }
  const deploymentNumber = deploymentNumberOf(field(payload, 'DeploymentNumber'), point, notes);
  return { ok: true, ...withTarget, alarmArns, deploymentNumber, notes };
}

/**
 * `DeploymentNumber` as AWS shows it: a JSON number in the EventBridge
 * extension's payload example, the string `"3"` in the SQS one (AppConfig
 * User Guide, "Using the Amazon EventBridge / Amazon SQS extension"). Only the
 * claim and the record use it, so a number that cannot be read is a note,
 * never a reason to answer differently.
 */
function deploymentNumberOf(raw: unknown, point: CheckPoint, notes: string[]): number | undefined {
  const number = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : raw;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) {
    return number;
  }
  if (raw !== undefined) {
    notes.push(`the payload's DeploymentNumber is ${describe(raw)}, not a deployment number; the deployment was not claimed`);
  } else if (point === 'TICK') {
    notes.push('the payload carries no DeploymentNumber; the deployment was not claimed');
  }
  return undefined;
}

/**
 * AppConfig's `InvocationId`, or, when it is missing or unfit for a ledger
 * key, an id derived from the whole payload: the same request gives the same
 * id, so a retried call owns the same claim and its record says so.
 */
function invocationIdOf(payload: Record<string, unknown>, notes: string[]): string {
  const raw = field(payload, 'InvocationId');
  if (typeof raw === 'string' && raw.length > 0 && raw.length <= MAX_INVOCATION_ID_LENGTH && !/[\u0000-\u001f\u007f#]/.test(raw)) {
    return raw;
  }
  const derived = `${DERIVED_ID_PREFIX}${createHash('sha256').update(canonicalJson(payload)).digest('hex').slice(0, 32)}`;
  notes.push(`the payload's InvocationId is ${describe(raw)}; the record uses ${derived}, derived from the payload`);
  return derived;
}

/** Marks an invocation id the check made up because AppConfig's was missing or unreadable. */
export const DERIVED_ID_PREFIX = 'derived-';

/** JSON with object keys sorted, so a derived id does not depend on the order AppConfig wrote the fields in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function parseTarget(raw: unknown): AlarmStateTargetParameter | string {
  if (typeof raw !== 'string' || raw.length > ExtensionParameter.MAX_VALUE_LENGTH) {
    return `it is ${describe(raw)}, not a JSON text of at most ${ExtensionParameter.MAX_VALUE_LENGTH} characters`;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return `it is ${describe(raw)}, not JSON`;
  }
  if (!isRecord(value)) {
    return `it is ${describe(value)}, not an object`;
  }
  const name = field(value, 'name');
  const applicationId = field(value, 'applicationId');
  const environmentId = field(value, 'environmentId');
  if (!Rules.TARGET_NAME.test(name)) {
    return `name is ${describe(name)}`;
  }
  if (!Rules.APPCONFIG_ID.test(applicationId)) {
    return `applicationId is ${describe(applicationId)}`;
  }
  if (!Rules.APPCONFIG_ID.test(environmentId)) {
    return `environmentId is ${describe(environmentId)}`;
  }
  // The same readers as the rule input's target (shared/wire/fields.ts).
  const triggerStates = readTriggerStates(field(value, 'triggerStates'), 'triggerStates');
  if ('problem' in triggerStates) {
    return triggerStates.problem;
  }
  const actOnPausedAlarms = readFlag(field(value, 'actOnPausedAlarms'), 'actOnPausedAlarms');
  if (typeof actOnPausedAlarms !== 'boolean') {
    return actOnPausedAlarms.problem;
  }
  const blockStart = readFlag(field(value, 'blockStart'), 'blockStart');
  if (typeof blockStart !== 'boolean') {
    return blockStart.problem;
  }
  return { name, applicationId, environmentId, triggerStates, actOnPausedAlarms, blockStart };
}

/** `Alarms1`, `Alarms2`, ...: JSON arrays of alarm ARNs, concatenated in order. */
function parseAlarms(parameters: Record<string, unknown>): string[] | string {
  const arns: string[] = [];
  for (let n = 1; n <= ExtensionParameter.ALARMS_PARAMETER_COUNT; n++) {
    const name = `${ExtensionParameter.ALARMS_PREFIX}${n}`;
    const raw = field(parameters, name);
    if (raw === undefined || raw === '') {
      continue;
    }
    let value: unknown;
    try {
      value = typeof raw === 'string' && raw.length <= ExtensionParameter.MAX_VALUE_LENGTH ? JSON.parse(raw) : undefined;
    } catch {
      value = undefined;
    }
    if (!Array.isArray(value) || !value.every((arn) => parseAlarmArn(arn) !== undefined)) {
      return `the ${name} parameter is ${describe(raw)}, not a JSON list of alarm ARNs`;
    }
    arns.push(...value as string[]);
  }
  if (arns.length === 0) {
    return `no ${ExtensionParameter.ALARMS_PREFIX}N parameter names an alarm`;
  }
  return arns;
}
