/**
 * @module delivery/doctor-render
 * The doctor's report as text: one line per check, ✓ or ✗, and the fix under each ✗.
 */
import type { Check } from './doctor-checks.js';

/**
 * The report, one check per line.
 *
 * @example
 * ```ts
 * renderChecks([{ name: 'helper', ok: true, detail: 'healthy', ms: 3 }]);
 * // "✓ helper: healthy (3 ms)"
 * ```
 */
export function renderChecks(checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    const mark = check.ok ? '✓' : '✗';
    const time = check.ms !== undefined ? ` (${Math.round(check.ms)} ms)` : '';
    lines.push(`${mark} ${check.name}: ${check.detail}${time}`);
    if (!check.ok && check.fix !== undefined) lines.push(`    fix: ${check.fix}`);
  }
  return `${lines.join('\n')}\n`;
}
