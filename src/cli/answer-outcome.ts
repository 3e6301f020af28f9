import { isSuccess } from './describe-delivery';

/**
 * How a delivery ended, read from the answer's body rather than its status alone: a receiver of this
 * package says `processed`, `duplicate`, `ignored` or `accepted` in a 2xx body, and an error code in
 * the others, so a second replay of a file shows duplicates, not a wall of `200`.
 * - `{ kind: 'delivered', status }`: a 2xx, with the `status` its body names (`processed`, …), or
 *   `2xx` when the body names none (an app that is not built on this package);
 * - `{ kind: 'refused', code }`: a 4xx, with its error code, or `HTTP 4xx` when the body has none;
 * - `{ kind: 'failed', code }`: a 5xx (`handler_failed`, …) or no answer at all (`ECONNREFUSED`, …).
 */
export type AnswerOutcome =
  | { readonly kind: 'delivered'; readonly status: string }
  | { readonly kind: 'refused'; readonly code: string }
  | { readonly kind: 'failed'; readonly code: string };

/** The outcome of an answer with `status` and (parsed) `body`. */
export function answerOutcome(status: number, body: unknown): AnswerOutcome {
  const fields = typeof body === 'object' && body !== null ? (body as { status?: unknown; error?: { code?: unknown } }) : {};
  if (isSuccess(status)) return { kind: 'delivered', status: typeof fields.status === 'string' ? fields.status : '2xx' };
  const code = typeof fields.error?.code === 'string' ? fields.error.code : `HTTP ${status}`;
  return status < 500 ? { kind: 'refused', code } : { kind: 'failed', code };
}

/** The outcome of a delivery that got no answer, by its network error code. */
export function noAnswerOutcome(code: string | undefined): AnswerOutcome {
  return { kind: 'failed', code: code ?? 'error' };
}

/**
 * Counts of outcomes, as `replay --json` prints them:
 * `{ delivered: { processed: 2, duplicate: 1 }, refused: { invalid_event: 1 }, failed: { ECONNRESET: 1 } }`.
 */
export interface OutcomeCounts {
  delivered: Record<string, number>;
  refused: Record<string, number>;
  failed: Record<string, number>;
}

/** Counts `outcomes` by kind and by status or code. */
export function countOutcomes(outcomes: Iterable<AnswerOutcome>): OutcomeCounts {
  const counts: OutcomeCounts = { delivered: {}, refused: {}, failed: {} };
  for (const outcome of outcomes) {
    const group = counts[outcome.kind];
    const key = outcome.kind === 'delivered' ? outcome.status : outcome.code;
    group[key] = (group[key] ?? 0) + 1;
  }
  return counts;
}
