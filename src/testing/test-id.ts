import { randomBytes } from 'node:crypto';

/**
 * A fresh, unique, opaque id such as `evt_9f2c4e1a7b3d5f60`. The provider's ids are opaque strings
 * too (its samples are not UUIDs), so a test that assumed a format would be wrong either way.
 */
export function testId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
