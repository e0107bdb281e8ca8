const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: an age (`90s`, `15m`, `2h`, `7d`, `1w`) counted back from
 * `now`, or an ISO 8601 time with a zone (`2026-11-01T00:00:00Z`). Returns
 * the ISO 8601 UTC time the ledger's `recordedAt` is compared with; records
 * store `recordedAt` as `toISOString()` does, so strings compare in time order.
 */
export function parseSince(text: string, now = Date.now()): string {
  const age = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (age) return new Date(now - Number(age[1]) * UNIT_MS[age[2]]).toISOString();
  // A time without a zone would be read in the machine's zone: refuse it rather than guess.
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+)?(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) {
    const time = Date.parse(text.trim());
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  throw new Error(`--since "${text}" is neither an age nor a time: give an age like 30m, 2h or 7d, or an ISO 8601 time with a zone like 2026-11-01T00:00:00Z`);
}
