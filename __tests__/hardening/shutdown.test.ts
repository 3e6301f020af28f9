import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { closeServers, serve } from '../contract/adapters';
import { deferred } from '../contract/helpers';
import { eventWithId, fixtures } from '../fixtures/events';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('close()', () => {
  afterEach(closeServers);

  it('answers new deliveries 503 shutting_down with Retry-After, handing onError their raw body', async () => {
    const codes: [string, string | undefined][] = [];
    const webhooks = convercWebhooks()
      .onAny(jest.fn())
      .onError((error) => void codes.push([error.code, error.rawBody]));
    const client = await serve(createNodeHandler(webhooks));
    expect(await webhooks.close({ timeoutMs: 100 })).toEqual({ drained: true, pending: 0 });
    const body = JSON.stringify(fixtures['call.ended']);
    const response = await client({ headers: JSON_TYPE, body });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.error.code).toBe('shutting_down');
    expect(codes).toEqual([['shutting_down', body]]);
  });

  it('waits for running handlers, and reports how many it abandoned at the timeout', async () => {
    const gate = deferred();
    const webhooks = convercWebhooks({ ack: 'immediate' }).on('call.ended', () => gate.promise);
    const client = await serve(createNodeHandler(webhooks));
    await client({ headers: JSON_TYPE, body: JSON.stringify(eventWithId('call.ended', 'a')) });
    await client({ headers: JSON_TYPE, body: JSON.stringify(eventWithId('call.ended', 'b')) });
    expect(await webhooks.close({ timeoutMs: 50 })).toEqual({ drained: false, pending: 2 });
    gate.resolve();
    expect(await webhooks.close({ timeoutMs: 1000 })).toEqual({ drained: true, pending: 0 });
  });

  it('refuses a timeout that is not a number', async () => {
    await expect(convercWebhooks().close({ timeoutMs: -1 })).rejects.toThrow(TypeError);
  });
});

describe('SIGTERM to a real process under load (examples/graceful-shutdown.ts)', () => {
  it('finishes every event it accepted before exiting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../examples/graceful-shutdown.ts')], {
      env: { ...process.env, PORT: '0', HANDLER_MS: '300' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const ready = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', () => { reject(new Error(`exited early: ${output}`)); });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const port = await ready;
      const accepted: string[] = [];
      const sends = Array.from({ length: 30 }, async (_, i) => {
        const id = `load-${i}`;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/webhooks/converc`, {
            method: 'POST',
            headers: JSON_TYPE,
            body: JSON.stringify(eventWithId('call.ended', id)),
          });
          if (response.status === 202) accepted.push(id);
        } catch {
          // Refused once the server stopped listening: not accepted, so nothing to finish.
        }
      });
      // Signal while deliveries are still arriving and handlers still running.
      await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGTERM');
      await Promise.all(sends);
      expect(await exited).toBe(0);
      expect(accepted.length).toBeGreaterThan(0);
      for (const id of accepted) expect(output).toContain(`finished ${id}\n`);
      expect(output).toContain('drained');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
