import type { IncomingHttpHeaders } from 'node:http';
import type { ValidationIssue } from '../../errors/webhook-error';

/** What `listen` answered a delivery with, or what the `--forward-to` app did. */
export interface ListenAnswer {
  /** The HTTP status; `null` when the app could not be reached (it is down, or timed out). */
  readonly status: number | null;
  /** In a word or two: `processed`, `duplicate`, `invalid_event`, `app down`. */
  readonly outcome: string;
  /** What went wrong when `status` is `null`, in words (`connection refused by 127.0.0.1:3000: …`). */
  readonly detail?: string;
  /** How long the answer took, in milliseconds. */
  readonly durationMs: number;
}

/** One delivery `listen` kept, as the inspector shows it. */
export interface ListenEntry {
  /** Its number since `listen` started, from 1. */
  readonly seq: number;
  readonly receivedAt: string;
  readonly method: string;
  /** The path and query it was sent to, with a `token=` value hidden. */
  readonly path: string;
  /** Its request headers, with the secret of `Authorization` hidden. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it came, as text; `null` when it was never read (a known duplicate whose first copy is gone). */
  readonly body: string | null;
  readonly id: string | null;
  readonly type: string | null;
  /** Each problem the schemas found, at its JSON path; empty for a valid event. */
  readonly issues: readonly ValidationIssue[];
  answer: ListenAnswer;
  /** How many times it was resent from the inspector. */
  resends: number;
}

/** How many deliveries are kept for the inspector and resending: the newest, so memory stays bounded. */
export const KEPT_DELIVERIES = 500;
/** How many bytes of bodies are kept at most, whatever their number: a body may weigh 5 MB. */
export const KEPT_BODY_BYTES = 64 * 1024 * 1024;

/** The deliveries `listen` keeps, newest last, with a subscription for the inspector's live stream. */
export class DeliveryLog {
  readonly #entries = new Map<number, ListenEntry>();
  readonly #listeners = new Set<(entry: ListenEntry) => void>();
  #next = 1;
  #bytes = 0;

  /** Keeps a delivery, numbering it, and tells the subscribers. */
  add(entry: Omit<ListenEntry, 'seq'>): ListenEntry {
    const kept: ListenEntry = { ...entry, seq: this.#next++ };
    this.#entries.set(kept.seq, kept);
    this.#bytes += kept.body?.length ?? 0;
    // The newest always stays, however large; older ones go first.
    for (const [seq, old] of this.#entries) {
      if (seq === kept.seq || (this.#entries.size <= KEPT_DELIVERIES && this.#bytes <= KEPT_BODY_BYTES)) break;
      this.#entries.delete(seq);
      this.#bytes -= old.body?.length ?? 0;
    }
    this.changed(kept);
    return kept;
  }

  /** Tells the subscribers that `entry` changed (it was resent). */
  changed(entry: ListenEntry): void {
    for (const listener of this.#listeners) listener(entry);
  }

  get(seq: number): ListenEntry | undefined {
    return this.#entries.get(seq);
  }

  /** The body last kept for this dedupe key: a duplicate's own body is never read. */
  bodyOf(id: string): string | null {
    for (const entry of [...this.#entries.values()].reverse()) if (entry.id === id && entry.body !== null) return entry.body;
    return null;
  }

  all(): ListenEntry[] {
    return [...this.#entries.values()];
  }

  /** Calls `listener` with each new or changed entry, until the returned function is called. */
  subscribe(listener: (entry: ListenEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Request headers as shown: one string each, the credential of `Authorization` replaced by `…`. */
export function shownHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    shown[name] = name === 'authorization' ? `${text.split(' ')[0] ?? ''} …` : text;
  }
  return shown;
}

/** A request path with the value of a `token` query parameter hidden. */
export function shownPath(url: string | undefined): string {
  return (url ?? '/').replace(/([?&]token=)[^&]*/gi, '$1…');
}
