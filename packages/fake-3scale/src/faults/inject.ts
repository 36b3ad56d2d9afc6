/**
 * @module faults/inject
 * Writing the faulty responses onto a Node response: closed connections, error statuses, truncated
 * bodies, resets mid-body, and responses that never come.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { WireReply } from '../http/reply.js';

/** Closes the connection without writing anything (the client sees "socket hang up" / ECONNRESET). */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

/** An error status with the kind of small HTML page a router or proxy in front of 3scale sends. */
export function sendErrorStatus(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const body = `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** The real status and headers with a body cut short, so it cannot be parsed. */
export function sendMalformed(res: ServerResponse, wire: WireReply): void {
  const cut = wire.payload.slice(0, Math.floor(wire.payload.length / 2));
  // Even an empty or tiny body must come out unparseable.
  const payload = cut.length > 1 ? cut : '{"';
  res.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

/** Headers announcing the full body, half of it, then a TCP reset. */
export function sendThenReset(res: ServerResponse, wire: WireReply): void {
  const half = wire.payload.slice(0, Math.floor(wire.payload.length / 2));
  res.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.payload) + 1) });
  res.write(half, () => {
    const socket = res.socket;
    if (socket && !socket.destroyed) socket.resetAndDestroy();
  });
}

/** Writes a complete reply. */
export function sendWire(res: ServerResponse, wire: WireReply): void {
  res.writeHead(wire.status, wire.headers);
  res.end(wire.payload);
}
