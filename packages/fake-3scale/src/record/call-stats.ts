/**
 * @module record/call-stats
 * Per-endpoint call counts: every request that reaches the fake counts, faulted ones included, so a test
 * can assert "100 concurrent list requests → 1 upstream services call".
 */
import { ENDPOINT_KEYS, type EndpointKey, UNMATCHED_KEY } from '../endpoints.js';

/** Calls per endpoint key, plus `unmatched` for Admin API paths the fake does not serve. */
export class CallStats {
  private counts = new Map<string, number>();

  count(key: EndpointKey | typeof UNMATCHED_KEY): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Every endpoint key (zero when never called), then `unmatched`. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of ENDPOINT_KEYS) out[key] = this.counts.get(key) ?? 0;
    out[UNMATCHED_KEY] = this.counts.get(UNMATCHED_KEY) ?? 0;
    return out;
  }

  clear(): void {
    this.counts = new Map();
  }
}
