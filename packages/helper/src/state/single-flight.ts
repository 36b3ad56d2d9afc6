/**
 * @module state/single-flight
 * Joins concurrent calls for one key in this process into one: the first caller runs the work, the others
 * share its outcome. Keeps a burst of identical requests from queueing one by one behind a lock.
 */

export interface SingleFlight<T> {
  /** Runs `work` for `key`, or joins the run in flight; `shared` is true for a caller that joined. */
  run(key: string, work: () => Promise<T>): Promise<{ value: T; shared: boolean }>;
}

/**
 * Creates a single-flight group.
 * @example const flights = createSingleFlight<Grant>(); const { value } = await flights.run(pair, () => issue());
 */
export function createSingleFlight<T>(): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  return {
    async run(key, work) {
      const running = inFlight.get(key);
      if (running !== undefined) return { value: await running, shared: true };
      const started = work().finally(() => inFlight.delete(key));
      inFlight.set(key, started);
      return { value: await started, shared: false };
    },
  };
}
