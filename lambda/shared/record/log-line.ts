/**
 * One structured JSON line per call, the shape CloudWatch Logs Insights
 * queries field by field.
 */
export function logLine(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: object = {}): void {
  const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields });
  if (level === 'INFO') {
    console.log(line);
  } else {
    console.error(line);
  }
}
