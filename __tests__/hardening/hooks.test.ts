import { convercWebhooks, createFetchHandler, type WebhookError } from 'converc-webhooks';
import { fixtures } from '../fixtures/events';

// Every user hook on the request path is bounded: one that never settles must not leave a delivery
// unanswered past the provider's 8 s, which would lose it without a word.
describe('a user hook that never settles', () => {
  it('auth.verify is given up on at storeTimeoutMs: the delivery is refused 401 and onError hears why', async () => {
    const errors: WebhookError[] = [];
    const handler = jest.fn();
    const webhooks = convercWebhooks({ storeTimeoutMs: 50, auth: { verify: () => new Promise<boolean>(() => undefined) } })
      .on('call.ended', handler)
      .onError((error) => void errors.push(error));
    const response = await createFetchHandler(webhooks)(
      new Request('http://127.0.0.1/hooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixtures['call.ended']) }),
    );
    expect(response.status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['unauthorized']);
    expect(String((errors[0]?.cause as Error | undefined)?.message)).toMatch(/no answer within 50 ms/);
  });
});
