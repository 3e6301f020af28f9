import { withTimeout } from '../core/deadline';
import { WebhookError } from '../errors/webhook-error';
import type { ResolvedAuth } from './auth-options';
import { constantTimeEqual } from './constant-time';
import { inRanges } from './ip-range';

/** What authentication looks at in a request. */
export interface Credentials {
  /** The request URL's path and query (only `?token=` is read). */
  readonly url: string | undefined;
  /** The `Authorization` header. */
  readonly authorization: string | undefined;
  /** The client address, as the framework determined it. */
  readonly remoteAddress: string | undefined;
  /** The framework's own request object, for `verify`. */
  readonly request: unknown;
}

/**
 * Runs the configured checks, cheapest first: the address (403 `forbidden`), the token, then `verify`
 * (401 `unauthorized`). Resolves the error to answer with, or `undefined` when the delivery may pass.
 * No message names the token that was sent or expected.
 */
export async function authenticate(
  auth: ResolvedAuth,
  credentials: Credentials,
  verifyTimeoutMs: number,
): Promise<WebhookError | undefined> {
  if (auth.ranges !== undefined) {
    const address = credentials.remoteAddress;
    if (address === undefined || !inRanges(address, auth.ranges)) {
      return new WebhookError('forbidden', `Deliveries from ${address ?? 'an unknown address'} are not allowed`);
    }
  }
  if (auth.tokens.length > 0 && !hasValidToken(auth.tokens, credentials)) {
    return new WebhookError('unauthorized', 'A valid token is required');
  }
  if (auth.verify !== undefined) {
    try {
      // Only `true` passes: a JavaScript verify returning a truthy string is a bug, not a yes.
      // Bounded like every call on the request path: a check that never settles must not leave the
      // delivery unanswered past the provider's timeout.
      const verdict: unknown = await withTimeout(auth.verify(credentials.request), verifyTimeoutMs);
      if (verdict !== true) {
        return new WebhookError('unauthorized', 'The delivery failed verification');
      }
    } catch (cause) {
      return new WebhookError('unauthorized', 'The delivery failed verification', { cause });
    }
  }
  return undefined;
}

/** Whether any token the request carries matches any configured token. Every pair is compared. */
function hasValidToken(tokens: readonly string[], credentials: Credentials): boolean {
  const presented = presentedTokens(credentials);
  let valid = false;
  for (const candidate of presented) {
    for (const token of tokens) {
      // The comparison comes first, so every pair is compared: timing says nothing about which matched.
      valid = constantTimeEqual(candidate, token) || valid;
    }
  }
  return valid;
}

/** The tokens a request carries: `?token=`, a Bearer token, the password of Basic credentials. */
export function presentedTokens({ url, authorization }: Credentials): string[] {
  const found: string[] = [];
  const query = url?.indexOf('?') ?? -1;
  if (url !== undefined && query !== -1) {
    for (const value of new URLSearchParams(url.slice(query + 1)).getAll('token')) found.push(value);
  }
  if (authorization !== undefined) {
    const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
    if (/^bearer$/i.test(scheme)) found.push(value);
    else if (/^basic$/i.test(scheme)) {
      const decoded = decodeBase64(value);
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded !== undefined && colon !== -1) found.push(decoded.slice(colon + 1));
    }
  }
  return found;
}

function decodeBase64(value: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(value), (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
