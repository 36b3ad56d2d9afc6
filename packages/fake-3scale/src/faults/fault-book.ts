/**
 * @module faults/fault-book
 * The faults and latencies in force, per endpoint, with `*` as the fallback for endpoints without their
 * own. A fault with `times` is used up by that many matching calls and then disappears.
 */
import type { EndpointKey, EndpointTarget } from '../endpoints.js';
import {
  type FaultSpec,
  type LatencyRange,
  type LatencySpec,
  checkTarget,
  normalizeFault,
  normalizeLatency,
} from './fault-spec.js';

interface ActiveFault {
  spec: FaultSpec;
  remaining: number | undefined;
}

/** Faults and latencies by endpoint. */
export class FaultBook {
  private readonly faults = new Map<EndpointTarget, ActiveFault>();
  private readonly latencies = new Map<EndpointTarget, LatencyRange>();

  /** Sets (or with `null` clears) the fault of an endpoint; throws `ERR_FAULT_INVALID` on a bad spec. */
  setFault(target: EndpointTarget, fault: FaultSpec | null): void {
    checkTarget(target);
    if (fault === null) {
      this.faults.delete(target);
      return;
    }
    const spec = normalizeFault(target, fault);
    this.faults.set(target, { spec, remaining: spec.times });
  }

  /** Sets (or with `null` clears) the latency of an endpoint. */
  setLatency(target: EndpointTarget, latency: LatencySpec | null): void {
    checkTarget(target);
    if (latency === null) this.latencies.delete(target);
    else this.latencies.set(target, normalizeLatency(latency));
  }

  /**
   * The fault for one call of `key`, using up one of its `times`. `ignore_paging` only ever applies to
   * Service List, so a `*` one does not fire (or get used up) elsewhere.
   */
  take(key: EndpointKey): FaultSpec | undefined {
    for (const target of [key, '*'] as const) {
      const active = this.faults.get(target);
      if (!active) continue;
      if (active.spec.kind === 'ignore_paging' && key !== 'services.list') continue;
      if (active.remaining !== undefined) {
        active.remaining -= 1;
        if (active.remaining <= 0) this.faults.delete(target);
      }
      return active.spec;
    }
    return undefined;
  }

  /** Milliseconds to wait before answering a call of `key` (uniform within the range). */
  delayFor(key: EndpointKey, random: () => number): number {
    const range = this.latencies.get(key) ?? this.latencies.get('*');
    if (!range) return 0;
    return range.min === range.max ? range.min : range.min + Math.round(random() * (range.max - range.min));
  }

  /** What is in force, for `GET /__fake/faults`. */
  describe(): { faults: Record<string, FaultSpec & { remaining?: number }>; latency: Record<string, LatencyRange> } {
    const faults: Record<string, FaultSpec & { remaining?: number }> = {};
    for (const [target, active] of this.faults) {
      faults[target] = { ...active.spec, ...(active.remaining === undefined ? {} : { remaining: active.remaining }) };
    }
    return { faults, latency: Object.fromEntries(this.latencies) };
  }

  clear(): void {
    this.faults.clear();
    this.latencies.clear();
  }
}
