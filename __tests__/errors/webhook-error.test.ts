import { ERROR_STATUS, isWebhookError, WebhookError } from 'converc-webhooks';

describe('WebhookError', () => {
  it('carries its code, the status for that code, and the standard cause', () => {
    const cause = new Error('boom');
    const error = new WebhookError('handler_failed', 'A handler failed', { cause, deliveryId: 'evt-1' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WebhookError');
    expect(error.code).toBe('handler_failed');
    expect(error.status).toBe(500);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('A handler failed');
    expect(error.deliveryId).toBe('evt-1');
  });

  it('has a status for every code', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(new WebhookError(code as keyof typeof ERROR_STATUS, 'x').status).toBe(status);
    }
  });

  it('copies itself with more details, keeping the rest', () => {
    const error = new WebhookError('invalid_event', 'bad', { issues: [{ path: 'id', message: 'missing' }] });
    const copy = error.with({ rawBody: '{}' });
    expect(copy.issues).toEqual([{ path: 'id', message: 'missing' }]);
    expect(copy.rawBody).toBe('{}');
    expect(copy.code).toBe('invalid_event');
  });
});

describe('isWebhookError', () => {
  it('recognises a WebhookError, and one from another copy of the package by its name and code', () => {
    expect(isWebhookError(new WebhookError('invalid_json', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'WebhookError', code: 'invalid_json' });
    expect(isWebhookError(foreign)).toBe(true);
  });

  it.each([null, undefined, 'WebhookError', new Error('x'), { name: 'WebhookError', code: 'nope' }])(
    'refuses %p',
    (value) => {
      expect(isWebhookError(value)).toBe(false);
    },
  );
});
