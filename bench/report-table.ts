/** One line of the benchmark table: a figure beside its baseline and its goal. */
export interface Figure {
  readonly name: string;
  readonly ours: string;
  readonly baseline: string;
  /** ours / baseline, when the two are comparable. */
  readonly ratio?: number;
  readonly goal: string;
  readonly met?: boolean;
}

export function printTable(title: string, figures: Figure[]): void {
  const rows = [
    ['figure', 'ours', 'baseline', 'ratio', 'goal', 'result'],
    ...figures.map((f) => [
      f.name,
      f.ours,
      f.baseline,
      f.ratio === undefined ? '' : `${Math.round(f.ratio * 100)}%`,
      f.goal,
      f.met === undefined ? '' : f.met ? 'met' : 'not met',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  console.log(`\n${title}`);
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
    if (index === 0) {
      console.log(widths.map((width) => '-'.repeat(width)).join('  '));
    }
  }
}

export const bytes = (value: number): string => value.toLocaleString('en-US');
export const ms = (value: number): string => value.toFixed(1);
