import { parseIpRange, type IpRange } from './ip-range';

/**
 * How deliveries prove they come from the provider, which signs nothing: the defences a URL can
 * carry (a secret token), the network (an address allowlist), and a check of your own.
 */
export interface AuthOptions {
  /**
   * Shared secrets; a delivery must carry one of them, as `?token=` in the URL, as
   * `Authorization: Bearer <token>`, or as the password of HTTP Basic credentials (which a URL such as
   * `https://converc:<token>@example.com/webhooks/converc` produces). Several at once let a secret be
   * rotated with no gap. Compared in constant time; never echoed in an answer, an error or a log.
   * @default none: no token is required
   */
  tokens?: readonly string[];
  /**
   * Addresses and CIDR ranges, IPv4 and IPv6, a delivery must come from (`'203.0.113.0/24'`,
   * `'2001:db8::/32'`). Behind a proxy, Express's `trust proxy` setting decides the address (`req.ip`);
   * this package never reads `X-Forwarded-For` itself.
   * @default none: any address
   */
  allowIps?: readonly string[];
  /**
   * A check of your own, sync or async, given the framework's request object (Express's `req`, a Node
   * `IncomingMessage`, or a Fetch `Request`): anything else, including a signature scheme should the
   * provider add one. Answering `false`, throwing or rejecting refuses the delivery with a 401.
   * @default none
   */
  verify?: (request: unknown) => boolean | Promise<boolean>;
}

/** The auth options once checked. */
export interface ResolvedAuth {
  readonly tokens: readonly string[];
  readonly ranges: readonly IpRange[] | undefined;
  readonly verify: ((request: unknown) => boolean | Promise<boolean>) | undefined;
}

/** Checks the `auth` option; a bad value throws a `TypeError` naming it (and never the token itself). */
export function resolveAuth(auth: unknown): ResolvedAuth | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null) throw new TypeError('auth must be an object');
  const { tokens = [], allowIps, verify } = auth as Record<string, unknown>;
  if (!Array.isArray(tokens) || tokens.some((token) => typeof token !== 'string' || token === '')) {
    throw new TypeError('auth.tokens must be an array of non-empty strings');
  }
  let ranges: IpRange[] | undefined;
  if (allowIps !== undefined) {
    if (!Array.isArray(allowIps) || allowIps.length === 0) {
      throw new TypeError('auth.allowIps must be a non-empty array of addresses or CIDR ranges');
    }
    ranges = allowIps.map((entry: unknown) => {
      const range = typeof entry === 'string' ? parseIpRange(entry) : undefined;
      if (range === undefined) throw new TypeError(`auth.allowIps: ${JSON.stringify(entry)} is not an address or CIDR range`);
      return range;
    });
  }
  if (verify !== undefined && typeof verify !== 'function') throw new TypeError('auth.verify must be a function');
  if (tokens.length === 0 && ranges === undefined && verify === undefined) {
    throw new TypeError('auth needs at least one of tokens, allowIps or verify');
  }
  return {
    tokens: tokens as string[],
    ranges,
    verify: verify as ((request: unknown) => boolean | Promise<boolean>) | undefined,
  };
}
