import { PROTON_ENVIRONMENT_STATUS_CHANGE, ProtonEnvironmentTargetInput, RollbackOutcome, Rules } from '../../../src/contract';
import { field, isRecord } from '../../shared/wire/fields';

/** A Proton environment going IN_PROGRESS: a deployment starting, for the alarm check at its start. */
export interface ProtonStatusEvent {
  readonly id: string;
  readonly time: string;
  readonly environmentName: string;
  readonly status: string;
  readonly previousStatus?: string;
}

export type ParsedStatusEvent =
  | { readonly ok: true; readonly event: ProtonStatusEvent }
  | { readonly ok: false; readonly outcome: RollbackOutcome.IGNORED | RollbackOutcome.REJECTED; readonly reason: string };

/**
 * Reads an "AWS Proton Environment Status Change" event (EventBridge
 * reference, "AWS Proton events": detail `name`, `status`, `previousStatus`).
 * The rule matches IN_PROGRESS on the target's own environment; anything else
 * is refused here too, so a hand-made or edited rule cannot cancel another
 * environment. Proton delivers these events on a best-effort basis (same
 * page), so this check at the start is a second chance, never the only one:
 * the alarm rules still act during the deployment.
 */
export function parseStatusEvent(
  raw: Record<string, unknown>,
  target: ProtonEnvironmentTargetInput,
  seen: { id: string; time: string },
): ParsedStatusEvent {
  const detailType = field(raw, 'detail-type');
  if (detailType !== PROTON_ENVIRONMENT_STATUS_CHANGE) {
    return { ok: false, outcome: RollbackOutcome.IGNORED, reason: `the Proton event's detail-type is ${JSON.stringify(detailType)?.slice(0, 80)}, not ${PROTON_ENVIRONMENT_STATUS_CHANGE}` };
  }
  const detail = field(raw, 'detail');
  const name = isRecord(detail) ? field(detail, 'name') : undefined;
  const status = isRecord(detail) ? field(detail, 'status') : undefined;
  const previous = isRecord(detail) ? field(detail, 'previousStatus') : undefined;
  if (!Rules.PROTON_RESOURCE_NAME.test(name) || typeof status !== 'string' || status.length > 64) {
    return { ok: false, outcome: RollbackOutcome.REJECTED, reason: 'the Proton status change event carries no readable detail.name and detail.status' };
  }
  if (name !== target.environmentName) {
    return { ok: false, outcome: RollbackOutcome.REJECTED, reason: `the Proton event is about environment ${name}, not ${target.environmentName} of target ${target.name}; check the rule's event pattern` };
  }
  if (status !== 'IN_PROGRESS') {
    return { ok: false, outcome: RollbackOutcome.IGNORED, reason: `environment ${name} went ${status}; only a deployment starting (IN_PROGRESS) is checked` };
  }
  return { ok: true, event: { ...seen, environmentName: name, status, previousStatus: typeof previous === 'string' ? previous.slice(0, 64) : undefined } };
}
