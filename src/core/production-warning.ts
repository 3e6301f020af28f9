import { MemoryDedupeStore } from '../dedupe/memory';
import type { ResolvedOptions } from './options';

/** The code of the warning {@link warnOfFloodRisk} emits, for `process.on('warning')` or `--disable-warning`. */
export const FLOOD_RISK_WARNING = 'CONVERC_WEBHOOKS_FLOOD_RISK';

/**
 * Warns once, in production (`NODE_ENV=production`), of a receiver that anyone who learns its URL can
 * flood with fresh ids: with no `auth`, the memory store then forgets the ids of processed events
 * (beyond `max`, as documented), and a resend of one of them runs again. Documented, but met only in
 * an incident, so said at start-up, with a code (as lru-cache does).
 */
export function warnOfFloodRisk(options: ResolvedOptions): void {
  const env = typeof process === 'undefined' ? undefined : process.env.NODE_ENV;
  if (env !== 'production' || options.auth !== undefined || !(options.store instanceof MemoryDedupeStore)) return;
  process.emitWarning(
    'converc-webhooks: this receiver has no auth and remembers ids in memory, so anyone who learns its URL can ' +
      'send enough fresh ids to make it forget processed events, whose resends would then run again. ' +
      'Set the auth option (a secret token in the URL, an address allowlist), or use a shared store such as RedisDedupeStore.',
    { type: 'ConvercWebhooksWarning', code: FLOOD_RISK_WARNING },
  );
}
