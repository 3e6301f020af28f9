import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './built-package';

/** One request to send; a {@link DeliverySource} returns a new one on every call. */
export interface Delivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type DeliverySource = () => Delivery;

export const CONVERC_PATH = '/webhooks/converc';
export const GITHUB_PATH = '/api/github/webhooks';
/** The HMAC secret the GitHub servers verify with. */
export const GITHUB_SECRET = 'converc-webhooks-bench';

const SAMPLE = join(ROOT, '__tests__', 'fixtures', 'call.ended.json');
const EVENT_ID = '@@event-id@@';
const CALL_ID = '@@call-id@@';

interface SampleEvent {
  id: string;
  type: string;
  data: { call: { id: string }; transcript: unknown };
}

/**
 * The provider's sample with a fresh event id (also in `X-IC-Id`) and call id in every delivery, so
 * dedupe stores each one. The body is a template filled by concatenation: a `JSON.stringify` per
 * request would make the load generator, which shares the two cores, slower than some servers.
 */
export function freshEvents(edit?: (event: SampleEvent) => void): DeliverySource {
  const event = JSON.parse(readFileSync(SAMPLE, 'utf8')) as SampleEvent;
  event.id = EVENT_ID;
  event.data.call.id = CALL_ID;
  edit?.(event);
  const [head, rest] = splitOnce(JSON.stringify(event), EVENT_ID);
  const [middle, tail] = splitOnce(rest, CALL_ID);
  return () => {
    const id = randomUUID();
    return {
      headers: { 'content-type': 'application/json', 'x-ic-id': id },
      body: head + id + middle + randomUUID() + tail,
    };
  };
}

/** Fresh deliveries older than this many fresh ones are surely answered: 50 connections keep fewer in flight. */
const ANSWERED_LAG = 100;
const REMEMBERED = 1000;

/**
 * Nine deliveries in ten resend one already processed (the same body and `X-IC-Id`), as a provider
 * replaying a backlog would; the tenth is fresh.
 */
export function duplicateFlood(): DeliverySource {
  const fresh = freshEvents();
  const sent: Delivery[] = [];
  let freshCount = 0;
  let count = 0;
  return () => {
    count += 1;
    const answered = Math.min(freshCount, REMEMBERED) - ANSWERED_LAG;
    if (count % 10 !== 0 && answered > 0) {
      const index = freshCount - 1 - ANSWERED_LAG - Math.floor(Math.random() * answered);
      const repeat = sent[index % REMEMBERED];
      if (repeat !== undefined) return repeat;
    }
    const delivery = fresh();
    sent[freshCount % REMEMBERED] = delivery;
    freshCount += 1;
    return delivery;
  };
}

/** `call.transcript_ready` events carrying a transcript of about `bytes` bytes of JSON. */
export function transcriptEvents(bytes: number): DeliverySource {
  return freshEvents((event) => {
    event.type = 'call.transcript_ready';
    event.data.transcript = transcriptOf(bytes);
  });
}

function transcriptOf(bytes: number): unknown[] {
  const segments: unknown[] = [];
  for (let size = 2; size < bytes; ) {
    const index = segments.length;
    const segment = {
      speaker: index % 2 === 0 ? 'visitor' : 'rep',
      startMs: index * 4200,
      endMs: index * 4200 + 3900,
      text: `Segment ${index}: we are looking at the enterprise plan for our support team, about forty seats.`,
    };
    segments.push(segment);
    size += JSON.stringify(segment).length + 1;
  }
  return segments;
}

const SIGNED_PUSHES = 1024;

/**
 * Signed GitHub `push` deliveries about the size of the Converc sample, each with a new
 * `X-GitHub-Delivery`. The bodies are signed ahead (a pool of distinct pushes, reused in turn) so the
 * load generator spends no more per request on GitHub than on Converc; the server verifies the HMAC of
 * every request either way.
 */
export function githubPushes(): DeliverySource {
  const targetBytes = freshEvents()().body.length;
  const pool = Array.from({ length: SIGNED_PUSHES }, (_, index) => {
    const body = pushBody(index, targetBytes);
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
    return { body, signature };
  });
  let count = 0;
  return () => {
    const push = pool[count++ % SIGNED_PUSHES] ?? pool[0];
    if (push === undefined) throw new Error('no signed push');
    return {
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': push.signature,
      },
      body: push.body,
    };
  };
}

/** A push of one commit, its message padded so the whole body is about `targetBytes` long. */
function pushBody(index: number, targetBytes: number): string {
  const sha = createHmac('sha1', 'commit').update(String(index)).digest('hex');
  const before = createHmac('sha1', 'commit').update(String(index - 1)).digest('hex');
  const build = (message: string): string => {
    const person = { name: 'Mona Octocat', email: 'mona@example.com', username: 'mona' };
    const commit = {
      id: sha,
      tree_id: before,
      distinct: true,
      message,
      timestamp: '2024-01-02T00:00:35Z',
      url: `https://github.com/octo-org/hello-world/commit/${sha}`,
      author: person,
      committer: person,
      added: [],
      removed: [],
      modified: ['README.md'],
    };
    return JSON.stringify({
      ref: 'refs/heads/main',
      before,
      after: sha,
      repository: {
        id: 1296269,
        name: 'hello-world',
        full_name: 'octo-org/hello-world',
        private: true,
        owner: { name: 'octo-org', login: 'octo-org', id: 9919, type: 'Organization' },
        html_url: 'https://github.com/octo-org/hello-world',
        default_branch: 'main',
      },
      pusher: { name: 'mona', email: 'mona@example.com' },
      sender: { login: 'mona', id: 583231, type: 'User' },
      created: false,
      deleted: false,
      forced: false,
      compare: `https://github.com/octo-org/hello-world/compare/${before.slice(0, 12)}...${sha.slice(0, 12)}`,
      commits: [commit],
      head_commit: commit,
    });
  };
  // The message appears twice (in `commits` and `head_commit`).
  const padding = Math.max(0, Math.floor((targetBytes - build('').length) / 2));
  return build('Update README with the new release notes. '.repeat(100).slice(0, padding));
}

function splitOnce(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not found`);
  return [text.slice(0, at), text.slice(at + marker.length)];
}
