/**
 * `npm run soak`: bounded runs that prove memory stays flat and nothing is lost or doubled.
 *
 * 1. In process, no network: 1,000,000 unique events through the receiver and its memory store,
 *    heap and RSS printed every 100k; fails if the heap grows past what the LRU's `max` explains.
 * 2. On loopback: a load run with 10% duplicates and 5% invalid bodies; fails unless every valid
 *    unique event was handled exactly once.
 * 3. On loopback, hostile bodies beside legitimate deliveries: validation bombs (1.9 MB of wrong array
 *    items) and large bodies (4.9 MB each, many at once), while one legitimate event a few
 *    milliseconds is sent; prints the slowest legitimate answer and the peak RSS, and fails if a
 *    legitimate event took 8 s (the provider's timeout) or was not processed.
 *
 * Options: --events <n> (default 1,000,000), --requests <n> (default 20,000), --concurrency <n> (50),
 * --large <n> large bodies in phase 3 (30), --max-bytes-in-flight <size> (the receiver's default),
 * --phase <1|2|3> to run one phase alone (a fresh process, for a clean peak RSS).
 */
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import express from 'express';
import { convercWebhooks } from 'converc-webhooks';
import { resolveOptions } from '../src/core/options';
import { Receiver } from '../src/core/receiver';
import { fixtures } from '../__tests__/fixtures/events';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    large: { type: 'string', default: '30' },
    'max-bytes-in-flight': { type: 'string' },
    phase: { type: 'string' },
  },
});
const EVENTS = Number(values.events);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const MAX_IDS = 10_000;
/** Room for what the LRU's `max` entries and V8's own heap noise can explain. */
const ALLOWED_GROWTH_MB = 24;

const run = promisify(execFile);
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const gc = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};

/** The sample with a new id, as text: built per event, as a real delivery would arrive. */
const sample = JSON.stringify(fixtures['call.ended']);
const bodyWithId = (id: string): string => sample.replace('"id":"evt-call.ended"', `"id":${JSON.stringify(id)}`);

async function soakInProcess(): Promise<void> {
  console.log(`1) ${EVENTS.toLocaleString('en')} unique events in process (memory store, max ${MAX_IDS} ids)`);
  const receiver = new Receiver(resolveOptions({ dedupe: { max: MAX_IDS } }));
  let handled = 0;
  receiver.registry.add('call.ended', () => {
    handled += 1;
  });
  let baseline: number | undefined;
  let peak = 0;
  const started = Date.now();
  for (let i = 1; i <= EVENTS; i++) {
    const text = bodyWithId(`soak-${i}`);
    const body = { text, bytes: Buffer.byteLength(text) };
    const outcome = await receiver.receive({ method: 'POST', headers: {}, readBody: () => Promise.resolve(body) });
    if (outcome.kind !== 'processed') throw new Error(`event ${i} ended ${outcome.kind}`);
    if (i % 100_000 === 0) {
      gc();
      const { heapUsed, rss } = process.memoryUsage();
      // The first 100k fill the LRU and warm V8 up; growth is measured from there.
      baseline ??= heapUsed;
      peak = Math.max(peak, heapUsed);
      console.log(`   ${String(i).padStart(9)} events  heap ${mb(heapUsed).padStart(6)} MB  rss ${mb(rss).padStart(6)} MB`);
    }
  }
  await receiver.drain();
  const seconds = (Date.now() - started) / 1000;
  console.log(`   ${handled.toLocaleString('en')} handled in ${seconds.toFixed(1)} s (${Math.round(EVENTS / seconds).toLocaleString('en')}/s)`);
  if (handled !== EVENTS) throw new Error(`handled ${handled} of ${EVENTS}`);
  const growth = peak - (baseline ?? peak);
  console.log(`   heap growth after the first 100k: ${mb(growth)} MB (allowed ${ALLOWED_GROWTH_MB} MB)`);
  if (growth > ALLOWED_GROWTH_MB * 1024 * 1024) throw new Error('heap grew past what the LRU max explains');
}

async function loadOnLoopback(): Promise<void> {
  console.log(`2) ${REQUESTS.toLocaleString('en')} requests on loopback, ${CONCURRENCY} at a time: 10% duplicates, 5% invalid`);
  const handledCount = new Map<string, number>();
  // Duplicates here repeat any earlier id, so the store must remember them all: an id the LRU has
  // forgotten (past `max`) would rightly be processed again.
  const webhooks = convercWebhooks({ dedupe: { max: REQUESTS } }).on('call.ended', (event) => {
    handledCount.set(event.id, (handledCount.get(event.id) ?? 0) + 1);
  });
  webhooks.onError(() => undefined);
  const server = express().use('/webhooks/converc', webhooks).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  const validIds = new Set<string>();
  const statuses = new Map<string, number>();
  let next = 0;
  const send = (body: string, id: string | undefined): Promise<number> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (id !== undefined) headers['x-ic-id'] = id;
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/converc', method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => { resolve(res.statusCode ?? 0); });
      });
      req.setTimeout(8000, () => req.destroy(new Error('no answer within 8 s')));
      req.on('error', reject);
      req.end(body);
    });
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const n = next++;
      const roll = n % 100;
      let status: number;
      if (roll < 5) {
        status = await send('{"id": "broken", ', undefined);
      } else if (roll < 15 && validIds.size > 0) {
        // A duplicate of an event already sent, named in X-IC-Id as the provider does.
        const id = `load-${Math.floor(Math.random() * validIds.size)}`;
        status = await send(bodyWithId(id), id);
      } else {
        const id = `load-${validIds.size}`;
        validIds.add(id);
        status = await send(bodyWithId(id), id);
      }
      const key = roll < 5 ? `invalid ${status}` : `valid ${status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await webhooks.drain();
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  server.close();
  console.log(`   ${REQUESTS.toLocaleString('en')} requests in ${seconds.toFixed(1)} s; answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  const wrong = [...validIds].filter((id) => handledCount.get(id) !== 1);
  console.log(`   ${validIds.size.toLocaleString('en')} unique valid events, ${wrong.length} not handled exactly once`);
  if (wrong.length > 0 || handledCount.size !== validIds.size) throw new Error(`handled wrongly: ${wrong.slice(0, 5).join(', ')}`);
}

async function hostileBodies(): Promise<void> {
  const BOMBS = 20;
  const LARGE = Number(values.large);
  const maxBytesInFlight = values['max-bytes-in-flight'];
  const room = maxBytesInFlight === undefined ? '' : ` (maxBytesInFlight ${maxBytesInFlight})`;
  console.log(`3) ${BOMBS} validation bombs and ${LARGE} large bodies at once on loopback, beside legitimate deliveries${room}`);
  const processed = new Set<string>();
  const webhooks = convercWebhooks(maxBytesInFlight === undefined ? {} : { maxBytesInFlight }).on('call.ended', (event) => {
    processed.add(event.id);
  });
  webhooks.onError(() => undefined);
  const server = express().use('/webhooks/converc', webhooks).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const post = (body: string): Promise<number> =>
    new Promise((resolve) => {
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/converc', method: 'POST', headers }, (res) => {
        res.resume();
        res.on('end', () => { resolve(res.statusCode ?? 0); });
      });
      req.setTimeout(30_000, () => req.destroy());
      req.on('error', () => { resolve(0); });
      req.end(body);
    });
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  let slowest = 0;
  let legitimate = 0;
  const attack = { running: true };
  const legit = (async () => {
    while (attack.running) {
      const id = `legit-${legitimate++}`;
      const started = Date.now();
      await post(bodyWithId(id));
      slowest = Math.max(slowest, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const started = Date.now();
  // The attacker runs in a process of its own: the peak RSS sampled here is the receiver's alone.
  const attacker = join(__dirname, 'hostile-client.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', attacker, `http://127.0.0.1:${port}/webhooks/converc`, String(BOMBS), String(LARGE)], {
    maxBuffer: 1024 * 1024,
  });
  const counts = JSON.parse(stdout) as Record<string, number>;
  attack.running = false;
  await legit;
  await webhooks.drain();
  clearInterval(sampler);
  server.close();
  console.log(`   attack answered in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}; peak RSS ${mb(peakRss)} MB`);
  console.log(`   ${legitimate} legitimate deliveries meanwhile, the slowest answered in ${slowest} ms`);
  const lost = Array.from({ length: legitimate }, (_, index) => `legit-${index}`).filter((id) => !processed.has(id));
  if (slowest >= 8000 || lost.length > 0) throw new Error(`legitimate deliveries lost or late: ${lost.length} lost, slowest ${slowest} ms`);
}

void (async () => {
  try {
    if (!(globalThis as { gc?: unknown }).gc) console.warn('run with --expose-gc for exact heap figures');
    const phase = values.phase;
    if (phase === undefined || phase === '1') await soakInProcess();
    if (phase === undefined || phase === '2') await loadOnLoopback();
    if (phase === undefined || phase === '3') await hostileBodies();
    console.log('soak: ok');
  } catch (error) {
    console.error('soak: FAILED:', error);
    process.exitCode = 1;
  }
})();
