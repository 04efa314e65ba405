// A small HTTP load generator for bench/api-get.ts when wrk is not installed. Runs as its own process:
//   tsx bench/api-load.ts <baseUrl> <token> <ids-file> <connections> <seconds>
// Prints one JSON line: {requests, errors, seconds, rps, p50Ms, p99Ms}.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [base, token, idsFile, connArg, secArg] = process.argv.slice(2);
if (!base || !token || !idsFile) throw new Error('usage: api-load.ts <baseUrl> <token> <ids-file> [connections] [seconds]');
const ids = readFileSync(idsFile, 'utf8').split('\n').filter(Boolean);
const connections = Number(connArg ?? 16);
const seconds = Number(secArg ?? 10);
const url = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies: number[] = [];
let errors = 0;
const deadline = Date.now() + seconds * 1000;

function one(): Promise<void> {
  const id = ids[Math.floor(Math.random() * ids.length)]!;
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: `/v1/accounts/${id}`, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

async function worker(): Promise<void> {
  while (Date.now() < deadline) await one();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: connections }, worker));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({ requests: latencies.length, errors, seconds: elapsed, rps: Math.round(latencies.length / elapsed), p50Ms: +pct(50).toFixed(2), p99Ms: +pct(99).toFixed(2) }));
agent.destroy();
