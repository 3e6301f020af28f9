const encoder = new TextEncoder();

/**
 * Whether two strings are equal, in time that depends on the length of `secret` only, never on where
 * the first difference is: comparing a guess with `===` would tell an attacker, byte by byte, how much
 * of it was right. Pure JavaScript, so it runs wherever the Fetch handler does.
 */
export function constantTimeEqual(candidate: string, secret: string): boolean {
  const a = encoder.encode(candidate);
  const b = encoder.encode(secret);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) {
    // Reading past a's end yields undefined: compare against 0 then, still touching every byte of b.
    difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return difference === 0;
}
