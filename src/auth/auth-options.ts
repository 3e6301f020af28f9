import { z } from 'zod';
import { fn, optionsObject } from '../options/check-options';
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
   * provider add one. Answering `false`, throwing or rejecting refuses the delivery with a 401, and so
   * does taking longer than `storeTimeoutMs` (the bound of every call on the request path), so a check
   * that never settles cannot leave a delivery unanswered; `onError` hears of each refusal.
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

const TOKENS = 'must be an array of non-empty strings';
const ALLOW_IPS = 'must be a non-empty array of addresses or CIDR ranges';

/**
 * The schema of the `auth` option, which resolves the address ranges. No message it words names a
 * token that was given.
 */
export const authOptionsSchema = optionsObject({
  tokens: z
    .array(z.unknown(), { error: TOKENS })
    .refine((tokens) => tokens.every((token) => typeof token === 'string' && token !== ''), { error: TOKENS })
    .transform((tokens) => tokens as string[])
    .default([]),
  allowIps: z
    .array(z.unknown(), { error: ALLOW_IPS })
    .min(1, { error: ALLOW_IPS })
    .transform((entries, ctx) =>
      entries.map((entry, index) => {
        const range = typeof entry === 'string' ? parseIpRange(entry) : undefined;
        if (range !== undefined) return range;
        ctx.issues.push({ code: 'custom', input: entry, path: [index], message: `is ${JSON.stringify(entry)}, not an address or CIDR range` });
        return z.NEVER;
      }),
    )
    .optional(),
  verify: fn<(request: unknown) => boolean | Promise<boolean>>('must be a function').optional(),
} satisfies Record<keyof AuthOptions, z.ZodType>).transform((auth, ctx): ResolvedAuth => {
  if (auth.tokens.length === 0 && auth.allowIps === undefined && auth.verify === undefined) {
    ctx.issues.push({ code: 'custom', input: auth, message: 'needs at least one of tokens, allowIps or verify' });
  }
  return { tokens: auth.tokens, ranges: auth.allowIps, verify: auth.verify };
});
