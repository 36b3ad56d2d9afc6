// The median time of one helper call from a warm node process, over a new connection each time (as the CLI
// connects): 20 discarded calls, then the median of 200. This is the helper's answer plus loopback and
// client overhead, without any process start-up; the CLI benchmarks compare whole commands against it.
//
//   node bench/lib/helper-call-ms.mjs GET /api/services/sentiment-analysis/usage?period=week
//   node bench/lib/helper-call-ms.mjs POST /api/services/init '{"service_id":"sentiment-analysis"}'
//
// Uses MLAAS_HELPER_URL and the access token the CLI stored under MLAAS_CONFIG_DIR. Prints milliseconds.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [method, path, body] = process.argv.slice(2);
const credentials = JSON.parse(readFileSync(`${process.env.MLAAS_CONFIG_DIR}/credentials.json`, 'utf8'));
const headers = {
  authorization: `Bearer ${credentials.profiles.default.accessToken}`,
  connection: 'close',
  ...(body === undefined ? {} : { 'content-type': 'application/json' }),
};

const once = () =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${process.env.MLAAS_HELPER_URL}${path}`, { method, agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });

for (let i = 0; i < 20; i++) await once();
const times = [];
for (let i = 0; i < 200; i++) times.push(await once());
times.sort((a, b) => a - b);
console.log(times[100].toFixed(2));
