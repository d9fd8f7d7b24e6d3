/** Plain text for terminals: tables (left-aligned columns separated by two spaces) and lists. */

/** Formats `rows` under `headers`; every row must have as many cells as there are headers. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** "a, b" or "none". */
export function listText(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}
