/**
 * @module record/request-log
 * A log of the Admin API requests the fake received: method, path, which parameters were sent where, and
 * how the client authenticated — parameter names only, never values, so the admin token never lands in
 * the log (and a test can assert exactly that).
 */
import type { EndpointKey } from '../endpoints.js';
import type { FaultKind } from '../faults/fault-spec.js';
import type { AuthKind } from '../http/auth.js';
import type { BodyType } from '../http/params.js';

/** One received request, as `requests()` and `GET /__fake/requests` report it. */
export interface RecordedRequest {
  /** 1, 2, … in arrival order. */
  seq: number;
  /** Arrival time, ISO 8601. */
  at: string;
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  /** The matched endpoint, or null for a path the fake does not serve. */
  endpoint: EndpointKey | null;
  /** Format chosen by the suffix; null when the suffix is unsupported (406). */
  format: 'json' | 'xml' | null;
  /** Names of query-string parameters (`access_token` appears here when sent in the URL). */
  queryKeys: string[];
  /** Names of body parameters (form or JSON). */
  bodyKeys: string[];
  bodyType: BodyType;
  /** Where the admin credential was: a parameter's location, `basic`, another scheme, or `none`. */
  auth: AuthKind;
  /** Whether the credential was the tenant's token. */
  authorized: boolean;
  /** The status sent; null while pending or when no complete response was sent (down, reset, hang). */
  status: number | null;
  /** The fault injected into this call, if any. */
  fault: FaultKind | null;
}

/** Oldest entries are dropped beyond this, so a long benchmark cannot grow the log without bound. */
export const MAX_RECORDED_REQUESTS = 50_000;

/** Keeps {@link RecordedRequest}s in arrival order. */
export class RequestLog {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  /** Adds a request and returns the live entry (its `status` is filled in when the reply goes out). */
  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    this.seq += 1;
    const recorded: RecordedRequest = { seq: this.seq, ...entry };
    this.entries.push(recorded);
    if (this.entries.length > MAX_RECORDED_REQUESTS)
      this.entries.splice(0, this.entries.length - MAX_RECORDED_REQUESTS);
    return recorded;
  }

  /** Copies of the entries, oldest first. */
  list(): RecordedRequest[] {
    return this.entries.map((e) => ({ ...e, queryKeys: [...e.queryKeys], bodyKeys: [...e.bodyKeys] }));
  }

  clear(): void {
    this.entries = [];
    this.seq = 0;
  }
}
