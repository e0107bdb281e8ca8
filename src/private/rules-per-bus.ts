import { IConstruct } from 'constructs';
import { RULES_PER_EVENT_BUS } from './quotas';
import { validationError } from './validate';

/** What one caller of `checkRulesPerBus` counted, and how to get under the quota. */
export interface RuleCount {
  /** What needs the rules, for the error: "addTarget Checkout", "forwarding". */
  readonly what: string;
  /** Rules about to be added. */
  readonly adding: number;
  /** Rules on the bus once they are added, as far as the caller can count them. */
  readonly total: number;
  /** Which rules `total` counts and where, for the error. */
  readonly counted: string;
  /** How to get under the quota, for the error. */
  readonly fix: string;
}

/**
 * Rules per event bus is the bus's quota ("Amazon EventBridge quotas"),
 * shared by every rule of the account in that Region; this app can count
 * only its own. The two callers count differently on purpose: an
 * AlarmRollback counts every rule this app puts on its bus, across stacks
 * (`RollbackBus.count`), since its bus may be any bus; a forwarder's rules
 * are on its own stack's default bus, so it counts that stack's rules there,
 * the rollback rules of an AlarmRollback in the stack included.
 */
export function checkRulesPerBus(scope: IConstruct, count: RuleCount): void {
  if (count.total > RULES_PER_EVENT_BUS) {
    throw validationError(scope,
      `${count.what} needs ${count.adding} EventBridge rule(s), which makes ${count.total} rules ${count.counted}; `
      + `EventBridge allows ${RULES_PER_EVENT_BUS} rules per event bus by default, shared with every other rule of the account in that Region`,
      count.fix);
  }
}
