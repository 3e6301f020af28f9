import { constantTimeEqual } from '../../src/auth/constant-time';

describe('constantTimeEqual', () => {
  it.each([
    ['secret-token', 'secret-token', true],
    ['secret-token', 'secret-tokem', false],
    ['secret', 'secret-token', false],
    ['secret-token-longer', 'secret-token', false],
    ['', 'secret', false],
    ['', '', true],
    ['çé✓', 'çé✓', true],
  ])('compares %p with %p: %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});
