import { AlarmStateValue } from '../../../src/contract';

/**
 * The field readers every parser of untrusted input shares: the rule input,
 * the alarm event and the Proton status event inside it, and AppConfig's
 * extension payload. The target fields both the rule input and the
 * extension's Target parameter carry are read here, once, so the two
 * readers cannot drift apart.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only, so keys such as `__proto__` or `constructor` in the input read as absent. */
export function field(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function isText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength;
}

/** The states a target may act on: ALARM, and INSUFFICIENT_DATA when its triggerOn says so. */
export function isTriggerState(value: unknown): boolean {
  return value === AlarmStateValue.ALARM || value === AlarmStateValue.INSUFFICIENT_DATA;
}

/**
 * A target's `triggerStates`: a non-empty list of trigger states, or what is
 * wrong with it. `label` names the field in the reason.
 */
export function readTriggerStates(value: unknown, label: string): string[] | { readonly problem: string } {
  if (!Array.isArray(value) || value.length === 0 || !value.every((state) => isTriggerState(state))) {
    return { problem: `${label} is ${describe(value)}, not a list of ${AlarmStateValue.ALARM} and ${AlarmStateValue.INSUFFICIENT_DATA}` };
  }
  return value as string[];
}

/** A true-or-false setting (`actOnPausedAlarms`, `blockStart`), or what is wrong with it. */
export function readFlag(value: unknown, label: string): boolean | { readonly problem: string } {
  return typeof value === 'boolean' ? value : { problem: `${label} is ${describe(value)}, not true or false` };
}

/** A short, safe rendering of a bad value for a reason text. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
