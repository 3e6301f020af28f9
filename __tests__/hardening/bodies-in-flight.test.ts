import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { resolveOptions } from '../../src/core/options';
import { Receiver, type Delivery, type DeliveryBody } from '../../src/core/receiver';
import { deferred } from '../contract/helpers';
import { eventWithId } from '../fixtures/events';

const MB = 1024 * 1024;

/** An event of about `bytes` bytes: a valid call.ended with a long field this version does not know. */
function largeEvent(id: string, bytes: number): string {
  return JSON.stringify({ ...eventWithId('call.ended', id), padding: 'x'.repeat(bytes) });
}

describe('bodies in flight', () => {
  it('reads no more large bodies at once than maxBytesInFlight holds, and lets small ones by', async () => {
    const receiver = new Receiver(resolveOptions({ limit: '1mb', maxBytesInFlight: '2mb' }));
    receiver.registry.addAny(() => undefined);
    const reads: { id: string; body: ReturnType<typeof deferred<DeliveryBody>> }[] = [];
    const large = (id: string): Delivery => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(MB - 100) },
      readBody: () => {
        const body = deferred<DeliveryBody>();
        reads.push({ id, body });
        return body.promise;
      },
    });
    const outcomes = ['a', 'b', 'c', 'd'].map((id) => receiver.receive(large(id)));
    await new Promise((resolve) => setImmediate(resolve));
    // Two bodies of about 1 MB fit in 2 MB: the other two wait, unread.
    expect(reads.map(({ id }) => id)).toEqual(['a', 'b']);

    const small = JSON.stringify(eventWithId('call.ended', 'small'));
    const smallOutcome = await receiver.receive({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(small.length) },
      readBody: () => Promise.resolve({ text: small, bytes: small.length }),
    });
    expect(smallOutcome.kind).toBe('processed');

    const text = largeEvent('a', 1000);
    reads[0]?.body.resolve({ text, bytes: text.length });
    await outcomes[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads.map(({ id }) => id)).toEqual(['a', 'b', 'c']);
    for (const [index, read] of reads.entries()) {
      if (index === 0) continue;
      const body = largeEvent(read.id, 1000);
      read.body.resolve({ text: body, bytes: body.length });
    }
    await new Promise((resolve) => setImmediate(resolve));
    const last = reads.at(-1);
    const body = largeEvent('d', 1000);
    last?.body.resolve({ text: body, bytes: body.length });
    expect((await Promise.all(outcomes)).map((outcome) => outcome.kind)).toEqual(['processed', 'processed', 'processed', 'processed']);
  });

  it('over real sockets, answers a large body that arrived whole only once room is given back, and refuses none', async () => {
    const handled: string[] = [];
    const webhooks = convercWebhooks({ limit: '1mb', maxBytesInFlight: '2mb' }).onAny((event) => {
      handled.push(event.id);
    });
    const server = createServer(createNodeHandler(webhooks));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const answers: string[] = [];

    /** Sends the headers and half of a large body at once; `finish()` sends the rest. */
    async function open(id: string): Promise<{ finish: () => void; answered: Promise<void> }> {
      const body = Buffer.from(largeEvent(id, MB - 4000));
      const socket: Socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.subarray(0, body.length / 2));
      let reply = '';
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
      const answered = once(socket, 'end').then(() => {
        answers.push(`${id} ${reply.split(' ')[1] ?? ''}`);
      });
      return { finish: () => socket.end(body.subarray(body.length / 2)), answered };
    }

    try {
      const first = await open('first');
      const second = await open('second');
      // Let the server take both in before the third comes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await open('third');
      third.finish();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Whole, but unread: the first two hold the room.
      expect(answers).toEqual([]);
      first.finish();
      await first.answered;
      await third.answered;
      second.finish();
      await second.answered;
      expect(answers).toEqual(['first 200', 'third 200', 'second 200']);
      expect(handled.sort()).toEqual(['first', 'second', 'third']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
