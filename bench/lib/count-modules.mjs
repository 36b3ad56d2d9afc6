/**
 * Preloaded with `node --import` to list every module a process loaded: ES modules through a loader hook,
 * CommonJS ones from the require cache. On SIGUSR2 the list (one URL a line) is written to the file named by
 * MODULE_COUNT_FILE. Used by bench/helper-startup.ts; adds its own few modules and a loader thread.
 */
import { register, createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
const esm = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => esm.add(url));
port1.unref();
register(
  'data:text/javascript,' +
    encodeURIComponent(
      `let port; export function initialize(d){port=d.port} export async function load(url,ctx,next){port.postMessage(url); return next(url,ctx)}`,
    ),
  { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] },
);
const require = createRequire(import.meta.url);
process.on('SIGUSR2', () => {
  const cjs = Object.keys(require('node:module')._cache);
  const all = new Set([...cjs.map((p) => 'file://' + p), ...esm]);
  writeFileSync(process.env.MODULE_COUNT_FILE, [...all].join('\n'));
  writeFileSync(`${process.env.MODULE_COUNT_FILE}.memory.json`, JSON.stringify(process.memoryUsage()));
});
