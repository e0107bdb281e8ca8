import { CLOUDFORMATION_STACK_STATUS_CHANGE, CloudFormationStackTargetInput, RollbackOutcome, Rules } from '../../../src/contract';
import { field, isRecord } from '../../shared/wire/fields';

/** A stack going UPDATE_IN_PROGRESS: an update starting, for the start gate's alarm read. */
export interface StackStatusEvent {
  readonly id: string;
  readonly time: string;
  /** The stack ID (ARN) the event names. */
  readonly stackId: string;
  readonly stackName: string;
  readonly status: string;
}

export type ParsedStackStatusEvent =
  | { readonly ok: true; readonly event: StackStatusEvent }
  | { readonly ok: false; readonly outcome: RollbackOutcome.IGNORED | RollbackOutcome.REJECTED; readonly reason: string };

/** The status the start gate acts on: an update of the stack has started (CloudFormation User Guide, "Stack status codes"). */
export const UPDATE_STARTED_STATUS = 'UPDATE_IN_PROGRESS';

/**
 * Reads a "CloudFormation Stack Status Change" event (CloudFormation User
 * Guide, "Stack Status Change event detail": `detail.stack-id`,
 * `detail.status-details.status`). The rule matches UPDATE_IN_PROGRESS of the
 * target's own stack; anything else is refused here too, so a hand-made or
 * edited rule cannot cancel another stack. CloudFormation delivers these
 * events durably but not in order (EventBridge events reference, "AWS
 * CloudFormation events"), so the status is only the reason to look: the
 * runner reads the stack before it acts, and a late event finds the update
 * over.
 */
export function parseStackStatusEvent(
  raw: Record<string, unknown>,
  target: CloudFormationStackTargetInput,
  seen: { id: string; time: string },
): ParsedStackStatusEvent {
  const detailType = field(raw, 'detail-type');
  if (detailType !== CLOUDFORMATION_STACK_STATUS_CHANGE) {
    return { ok: false, outcome: RollbackOutcome.IGNORED, reason: `the CloudFormation event's detail-type is ${JSON.stringify(detailType)?.slice(0, 80)}, not ${CLOUDFORMATION_STACK_STATUS_CHANGE}` };
  }
  const detail = field(raw, 'detail');
  const stackId = isRecord(detail) ? field(detail, 'stack-id') : undefined;
  const statusDetails = isRecord(detail) ? field(detail, 'status-details') : undefined;
  const status = isRecord(statusDetails) ? field(statusDetails, 'status') : undefined;
  const stackName = typeof stackId === 'string' && stackId.startsWith('arn:') && Rules.CLOUDFORMATION_STACK_NAME_OR_ID.test(stackId)
    ? stackId.split('/')[1] : undefined;
  if (stackName === undefined || typeof status !== 'string' || status.length > 64) {
    return { ok: false, outcome: RollbackOutcome.REJECTED, reason: 'the stack status change event carries no readable detail.stack-id and detail.status-details.status' };
  }
  if (!namesTargetStack(stackId as string, stackName, target.stackName)) {
    return { ok: false, outcome: RollbackOutcome.REJECTED, reason: `the CloudFormation event is about stack ${stackId}, not ${target.stackName} of target ${target.name}; check the rule's event pattern` };
  }
  if (status !== UPDATE_STARTED_STATUS) {
    return { ok: false, outcome: RollbackOutcome.IGNORED, reason: `stack ${stackName} went ${status}; only an update starting (${UPDATE_STARTED_STATUS}) is checked` };
  }
  return { ok: true, event: { ...seen, stackId: stackId as string, stackName, status } };
}

/**
 * Whether the event's stack ID is the target's stack: the same name, and for
 * a target given by stack ID, that stack's partition, Region and account
 * (its unique suffix may differ once the stack is re-created, as the grant
 * allows).
 */
function namesTargetStack(stackId: string, stackName: string, wanted: string): boolean {
  if (!wanted.startsWith('arn:')) {
    return stackName === wanted;
  }
  const prefix = (id: string) => id.slice(0, id.lastIndexOf('/') + 1);
  return prefix(stackId) === prefix(wanted);
}
