// A plain-text table with aligned columns: numbers right-aligned, text left-aligned.

export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, col) => Math.max(header.length, ...rows.map((row) => (row[col] ?? '').length)));
  const numeric = headers.map((_, col) => rows.every((row) => /^-?[\d.]*%?$/.test(row[col] ?? '')));
  const format = (row: string[]): string =>
    row
      .map((cell, col) => (numeric[col] && col > 0 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return `${[format(headers), rule, ...rows.map(format)].join('\n')}\n`;
}
