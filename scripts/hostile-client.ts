/**
 * The attacker of `npm run soak`'s phase 3, in a process of its own so that the receiver's peak RSS is
 * its own: posts `bombs` validation bombs and `large` large bodies (4.9 MB each, unique ids) at once to
 * `url`, and prints the answers' statuses, counted, as JSON.
 */
import { request } from 'node:http';
import { fixtures } from '../__tests__/fixtures/events';

const [url = '', bombs = '0', large = '0'] = process.argv.slice(2);
const target = new URL(url);

function post(body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => {
      resolve(0);
    });
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { data } = fixtures['call.ended'];
  const bomb = Buffer.from(JSON.stringify({ ...fixtures['call.ended'], data: { ...data, qualificationAnswers: Array<number>(950_000).fill(0) } }));
  const largeBody = JSON.stringify({ ...fixtures['call.ended'], data: { ...data, transcript: 'x'.repeat(4_900_000) } });
  const answers = await Promise.all([
    ...Array.from({ length: Number(bombs) }, () => post(bomb)),
    ...Array.from({ length: Number(large) }, (_, index) => post(Buffer.from(largeBody.replace('"evt-call.ended"', `"large-${String(index)}"`)))),
  ]);
  const counts = answers.reduce<Record<string, number>>((all, status) => ({ ...all, [status]: (all[status] ?? 0) + 1 }), {});
  process.stdout.write(JSON.stringify(counts));
}

void main();
