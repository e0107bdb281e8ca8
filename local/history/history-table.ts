import { LedgerRecord } from './ledger-reader';
import { parseStackUpdateId } from '../../src/contract';

const COLUMNS: readonly { readonly title: string; readonly value: (record: LedgerRecord) => string }[] = [
  { title: 'RECORDED', value: (r) => text(r.recordedAt) },
  { title: 'OUTCOME', value: (r) => text(r.outcome) },
  { title: 'TARGET', value: (r) => text(r.target) },
  { title: 'ALARM', value: (r) => text(r.alarmName ?? r.alarmArn) },
  { title: 'DEPLOYMENT', value: deployment },
  { title: 'STATE', value: (r) => (r.stateBefore || r.stateAfter ? `${text(r.stateBefore) || '?'} -> ${text(r.stateAfter ?? r.stateBefore)}` : '') },
  { title: 'REASON', value: (r) => text(r.reason) },
];

/** Ledger records as aligned columns, one line each, in the order given; the reason, last, is never cut. */
export function formatHistory(records: readonly LedgerRecord[]): string {
  const rows = [COLUMNS.map((column) => column.title), ...records.map((record) => COLUMNS.map((column) => column.value(record)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function deployment(record: LedgerRecord): string {
  // A stack target's deployment is a stack update, named by its stack and start.
  const update = typeof record.deploymentId === 'string' ? parseStackUpdateId(record.deploymentId) : undefined;
  if (update) return `${update.stackName} update ${update.startedAt}`;
  if (record.deploymentNumber !== undefined) return `${text(record.applicationId)}/${text(record.environmentId)} #${text(record.deploymentNumber)}`;
  if (record.environmentName !== undefined) return `${text(record.environmentName)}${record.deploymentId ? ` ${text(record.deploymentId)}` : ''}`;
  return '';
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).replace(/\s+/g, ' ');
}
