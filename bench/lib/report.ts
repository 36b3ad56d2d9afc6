/**
 * @module bench/lib/report
 * What every benchmark report shares: the machine it ran on, number formatting for the markdown, and writing
 * the report — JSON to `bench/results/<benchmark>.json`, markdown to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helper-build.js';

/** Where the full numbers of every run go (git-ignored). */
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** When and where a benchmark ran. */
export interface MachineInfo {
  /** ISO 8601, when the report was made. */
  date: string;
  node: string;
  platform: string;
  cpus: { count: number; model: string };
}

/**
 * The date, Node version, platform and CPUs, for the top of a report.
 * @example const report = { benchmark: 'list-services', ...machineInfo(), loadAverage };
 */
export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: { count: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
  };
}

/**
 * Writes `report` to `bench/results/<report.benchmark>.json`, prints `markdown` on stdout and says where the
 * file went through `progress`.
 * @example writeReport(report, formatReport(report), progress);
 */
export function writeReport(
  report: { benchmark: string },
  markdown: string,
  progress: (message: string) => void,
): void {
  const file = join(RESULTS_DIR, `${report.benchmark}.json`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(markdown);
  progress(`wrote ${file}`);
}

/**
 * A number with exactly `digits` decimals and thousands separators, as the reports show them.
 * @example fmt(12345.678, 1) // '12,345.7'
 */
export function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
