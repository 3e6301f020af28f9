/**
 * `converc-webhooks/testing`: realistic events, typed fixtures and a delivery helper, for testing an
 * app that receives Converc webhooks. Uses nothing but Node's own modules at run time, so it works
 * with any test runner.
 *
 * @example
 * ```ts
 * import { createTestEvent, deliver } from 'converc-webhooks/testing';
 *
 * it('logs an ended call in the CRM', async () => {
 *   const event = createTestEvent('call.ended', { data: { contact: { email: 'ada@example.com' } } });
 *   const { status } = await deliver(app, event, { path: '/webhooks/converc' });
 *   expect(status).toBe(200);
 *   expect(crm.calls).toContainEqual(expect.objectContaining({ email: 'ada@example.com' }));
 * });
 * ```
 * @packageDocumentation
 */
export {
  createTestEvent,
  TEST_ORGANIZATION_ID,
  TEST_SITE_ID,
  type CreateTestEventOptions,
  type TestEventOverrides,
} from './create-test-event';
export {
  deliver,
  type DeliverOptions,
  type DeliveryListener,
  type DeliveryResult,
  type DeliveryTarget,
} from './deliver';
export { fixture, fixtures, type Fixtures } from './fixtures';
export type { DeepPartial } from './deep-partial';
export type { DeepReadonly } from './deep-freeze';
