import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { discardBody } from '../../src/node/discard-body';

const run = promisify(execFile);

describe('discardBody', () => {
  it('lets a client see the 413 of a body over limit, 20 times in a row, rather than EPIPE', async () => {
    const server = createServer(createNodeHandler(convercWebhooks({ limit: '1mb' })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const client = join(__dirname, '..', 'fixtures', 'post-oversized.ts');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', client, `http://127.0.0.1:${port}/`, String(6 * 1024 * 1024), '20'], { timeout: 25_000 });
      expect(JSON.parse(stdout)).toEqual(Array.from({ length: 20 }, () => '413 payload_too_large'));
    } finally {
      server.close();
    }
  }, 30_000);

  it('stops reading after maxBytes, or after maxMs of a body that trickles, and resolves all the same', async () => {
    const reached: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const startedAt = Date.now();
      void discardBody(req, 1024, 300).then(() => {
        reached.push(Date.now() - startedAt < 250 ? 'bytes' : 'time');
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const post = (chunks: number): Promise<void> =>
      new Promise((resolve) => {
        const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': 1_000_000 } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => {
          resolve();
        });
        req.flushHeaders();
        for (let i = 0; i < chunks; i++) req.write(Buffer.alloc(1000));
        // Never ends: only the bounds can end the wait.
        setTimeout(() => {
          req.destroy();
        }, 2_000).unref();
      });
    try {
      await post(10);
      await post(0);
      expect(reached).toEqual(['bytes', 'time']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
