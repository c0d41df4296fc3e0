/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: readonly object[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const records = rows as readonly Record<string, unknown>[];
  const columns = [...new Set(records.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) =>
    value === undefined
      ? ''
      : typeof value === 'number'
        ? formatNumber(value)
        : JSON.stringify(value).replace(/^"|"$/g, '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...records.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 0 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!)))
      .join('  ');
  console.log(line(columns));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of records) console.log(line(columns.map((column) => cell(row[column]))));
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(2);
}
