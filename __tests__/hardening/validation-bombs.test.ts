import { convercWebhooks, createFetchHandler, type WebhookError } from 'converc-webhooks';
import { eventWithId, fixtures } from '../fixtures/events';

const answer = fixtures['call.ended'].data.qualificationAnswers[0];

// Bodies within `limit` whose every element is wrong. zod words one issue per bad element, and the
// receiver once collected them all: seconds with the event loop blocked, and gigabytes, for one
// request. Now the check stops at the first problem, and says that there may be more.
const bombs: readonly [string, () => unknown][] = [
  ['200,000 zeros in qualificationAnswers', () => ({ ...fixtures['call.ended'], data: { ...fixtures['call.ended'].data, qualificationAnswers: Array<number>(200_000).fill(0) } })],
  ['60,000 {} in qualificationAnswers', () => ({ ...fixtures['call.ended'], data: { ...fixtures['call.ended'].data, qualificationAnswers: Array.from({ length: 60_000 }, () => ({})) } })],
  [
    '5,000 answers, each with 20 bad options',
    () => ({
      ...fixtures['call.ended'],
      data: { ...fixtures['call.ended'].data, qualificationAnswers: Array.from({ length: 5_000 }, () => ({ ...answer, question: { ...answer?.question, options: Array<number>(20).fill(1) } })) },
    }),
  ],
  ['an unknown type whose data is 200,000 zeros', () => ({ ...fixtures['call.ended'], type: 'call.future', data: Array<number>(200_000).fill(0) })],
];

describe('a validation bomb', () => {
  it.each(bombs)('(%s) is refused 422 with a few issues that say there may be more, and the raw body goes to onError', async (_, bomb) => {
    const errors: WebhookError[] = [];
    const handler = jest.fn();
    const webhooks = convercWebhooks().onAny(handler).onError((error) => void errors.push(error));
    const handle = createFetchHandler(webhooks);
    const body = JSON.stringify(bomb());
    const response = await handle(new Request('http://127.0.0.1/hooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(response.status).toBe(422);
    const answered = (await response.json()) as { error: { code: string; message: string; issues: unknown[] } };
    expect(answered.error.code).toBe('invalid_event');
    expect(answered.error.message).toMatch(/there may be more/);
    expect(answered.error.issues.length).toBeLessThanOrEqual(5);
    expect(errors[0]?.issues?.length).toBeLessThanOrEqual(5);
    expect(errors[0]?.rawBody).toBe(body);
    expect(handler).not.toHaveBeenCalled();

    // The receiver is none the worse: the next event is processed.
    const next = await handle(
      new Request('http://127.0.0.1/hooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(eventWithId('call.ended', 'evt-after')) }),
    );
    expect(((await next.json()) as { status: string }).status).toBe('processed');
  });
});
