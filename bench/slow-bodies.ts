/**
 * `npm run bench:slow-bodies`: how close to `bodyTimeoutMs` a slow body is answered 408 under a
 * sustained slow-body attack (issue 16: a timeout is a timeout, within 100 ms of what was set, however
 * long the attack lasts). The receiver serves on loopback in this process; the attacker runs in a
 * process of its own, keeps `--connections` bodies trickling (one byte every 100 ms, replaced as each
 * is answered) for `--seconds`, and times each 408 from the moment its headers were sent. Legitimate
 * deliveries go on meanwhile. Prints time-to-408 by tenths of the run: drift shows as a rising p50.
 * Each body declares `--declared` bytes: over 64 KB, a body also waits for its share of
 * `maxBytesInFlight` before its timer starts, which shows here as time-to-408 too.
 *
 *   npx tsx bench/slow-bodies.ts [--connections 300] [--seconds 30] [--declared 50000]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureBuilt, loadBuiltPackage } from './built-package';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '30' },
    declared: { type: 'string', default: '50000' },
    attacker: { type: 'string' },
  },
});

const BODY_TIMEOUT_MS = 3000;

/** The attacker's side: runs in the forked process, sends its results to the parent. */
async function attack(url: string, connections: number, seconds: number): Promise<void> {
  const target = new URL(url);
  const endAt = Date.now() + seconds * 1000;
  const samples: { at: number; ms: number }[] = [];
  const trickle = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect(Number(target.port), target.hostname);
      let sentAt = 0;
      let timer: ReturnType<typeof setInterval> | undefined;
      socket.on('connect', () => {
        socket.write(`POST ${target.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${values.declared}\r\n\r\n{`);
        sentAt = performance.now();
        timer = setInterval(() => socket.write(' '), 100);
      });
      socket.once('data', (chunk: Buffer) => {
        if (chunk.toString().startsWith('HTTP/1.1 408')) samples.push({ at: Date.now(), ms: performance.now() - sentAt });
        socket.destroy();
      });
      socket.on('close', () => {
        clearInterval(timer);
        resolve();
      });
      socket.on('error', () => undefined);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < endAt) await trickle();
    }),
  );
  process.send?.(samples);
}

async function main(): Promise<void> {
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  ensureBuilt();
  const { convercWebhooks, createNodeHandler } = loadBuiltPackage();
  let legitimate = 0;
  const webhooks = convercWebhooks({ bodyTimeoutMs: BODY_TIMEOUT_MS }).on('call.ended', () => {
    legitimate++;
  });
  webhooks.onError(() => undefined);
  const server = createServer(createNodeHandler(webhooks));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  console.log(`${connections} slow bodies at once for ${seconds} s; bodyTimeoutMs ${BODY_TIMEOUT_MS}`);

  const startedAt = Date.now();
  const args = ['--attacker', url, '--connections', String(connections), '--seconds', String(seconds), '--declared', values.declared];
  const attacker = fork(__filename, args, {
    execArgv: ['--import', 'tsx'],
    cwd: ROOT,
  });
  const results = new Promise<{ at: number; ms: number }[]>((resolve) => attacker.once('message', (samples) => { resolve(samples as never); }));
  let slowestLegitimate = 0;
  let sent = 0;
  const body = JSON.stringify(JSON.parse(readFileSync(join(ROOT, '__tests__', 'fixtures', 'call.ended.json'), 'utf8')));
  while (Date.now() - startedAt < seconds * 1000) {
    const began = performance.now();
    await new Promise<void>((resolve) => {
      const text = body.replace('"event-uuid"', `"legit-${String(sent++)}"`);
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => { resolve(); });
      req.end(text);
    });
    slowestLegitimate = Math.max(slowestLegitimate, performance.now() - began);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const samples = await results;
  server.closeAllConnections();
  server.close();
  const tenth = (seconds * 1000) / 10;
  console.log('| part of the run | 408s | p50 ms | p99 ms | max ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (let part = 0; part < 10; part++) {
    const ms = samples
      .filter(({ at }) => at - startedAt >= part * tenth && at - startedAt < (part + 1) * tenth)
      .map((sample) => sample.ms)
      .sort((a, b) => a - b);
    const pick = (q: number): string => (ms.length === 0 ? '-' : (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0).toFixed(0));
    console.log(`| ${part + 1}/10 | ${ms.length} | ${pick(0.5)} | ${pick(0.99)} | ${ms.length === 0 ? '-' : (ms.at(-1) ?? 0).toFixed(0)} |`);
  }
  console.log(`${legitimate} of ${sent} legitimate deliveries processed; the slowest answered in ${slowestLegitimate.toFixed(0)} ms`);
}

if (values.attacker === undefined) {
  void main();
} else {
  void attack(values.attacker, Number(values.connections), Number(values.seconds));
}
