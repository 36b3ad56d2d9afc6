/**
 * @module output/table
 * Data as text: aligned columns for a terminal, tab-separated rows for scripts.
 * Kept instead of cli-table3/columnify: it loads on every `services list`, whose start-up must stay within 2x `node -e 0` (~16 ms of headroom measured); it costs +0.4 ms CPU against +12.5/+15 ms (bench/cli-module-load.sh).
 */

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Wraps header cells (e.g. in bold). */
  styleHeader?: (text: string) => string;
  /** Terminal width: the widest column that may shrink is cut with "…" to fit. */
  maxWidth?: number;
  /** Columns (by index) that are never cut, such as an id the user must type. */
  keepWhole?: readonly number[];
}

/**
 * Aligned columns with a header row, for a terminal.
 *
 * @example
 * ```ts
 * renderTable(['NAME', 'ID'], [['Sentiment Analysis', 'sentiment-analysis']]);
 * ```
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const widths = headers.map((header, i) => Math.max(width(header), ...rows.map((row) => width(row[i] ?? ''))));
  const gap = 2;
  if (options.maxWidth !== undefined) {
    let total = widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
    const keep = new Set(options.keepWhole ?? []);
    while (total > options.maxWidth) {
      const shrinkable = widths.map((w, i) => (keep.has(i) ? 0 : w));
      const widest = shrinkable.indexOf(Math.max(...shrinkable));
      if ((shrinkable[widest] ?? 0) <= 12) break;
      widths[widest] = (widths[widest] ?? 0) - 1;
      total -= 1;
    }
  }
  const line = (cells: readonly string[], style?: (text: string) => string) =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const fitted = fit(cell, w);
        const padded = i === cells.length - 1 ? fitted : fitted + ' '.repeat(w - width(fitted));
        return style ? style(padded) : padded;
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(headers, options.styleHeader), ...rows.map((row) => line(row))].join('\n') + '\n';
}

/**
 * One tab-separated line per row, no header: stable for `cut`, `awk` and `while read`.
 *
 * @example
 * ```ts
 * renderTsv([['sentiment-analysis', 'Sentiment Analysis']]); // 'sentiment-analysis\tSentiment Analysis\n'
 * ```
 */
export function renderTsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map((cell) => cell.replace(/[\t\r\n]+/g, ' ')).join('\t') + '\n').join('');
}

function width(text: string): number {
  return [...text].length;
}

function fit(text: string, w: number): string {
  const chars = [...text];
  return chars.length <= w ? text : `${chars.slice(0, Math.max(0, w - 1)).join('')}…`;
}
