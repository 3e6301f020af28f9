/** Ids longer than this many characters are remembered by their digest; shorter ones as they are. */
export const MAX_STORED_KEY_LENGTH = 200;

/**
 * The key a store remembers a long id under: `sha256:` and the hex SHA-256 digest of the id, 71
 * characters. So what a store holds per event is small and known whatever a sender puts in `id` or
 * `X-IC-Id` (a 4.5 MB id would otherwise be kept, in memory or in Redis, for `ttlMs`), and no event is
 * refused for its id's length. Web Crypto, so that it runs wherever the Fetch adapter does.
 */
export async function digestKey(id: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(id)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}
