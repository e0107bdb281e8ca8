import { AlarmStateValue } from '../src/contract';

/**
 * The readers every parser of untrusted input shares: the rule input, the
 * Proton status event inside it and AppConfig's extension payload.
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
