import { firstHeader } from './request-headers';
import type { IncomingHeaders } from './handler-types';
import { joinBytes } from './join-bytes';
import { charsetOf, isIdentityEncoding } from './media-type';
import type { RawBody } from './receiver';

/**
 * The text of a body refused for its media type (415), for `onError` to keep: the provider never
 * resends it, and such a refusal is most often a valid event sent with the wrong set-up (`text/plain`,
 * UTF-16, gzip). Decoded as the headers say, with what every runtime has: `DecompressionStream` for
 * gzip and deflate, `TextDecoder` for any charset it knows (else UTF-8). Never more than `limit` bytes
 * are inflated; `undefined` for an encoding it cannot undo, or an inflated body over `limit`.
 */
export async function decodeRefusedBody(raw: RawBody, headers: IncomingHeaders, limit: number): Promise<string | undefined> {
  if (typeof raw === 'string') return raw;
  const header = firstHeader(headers['content-encoding']);
  const encoding = header?.trim().toLowerCase();
  let bytes: Uint8Array | undefined = raw;
  if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
    bytes = await inflate(raw, encoding === 'deflate' ? 'deflate' : 'gzip', limit);
  } else if (!isIdentityEncoding(header)) {
    return undefined;
  }
  if (bytes === undefined) return undefined;
  return decode(bytes, charsetOf(firstHeader(headers['content-type'])));
}

async function inflate(bytes: Uint8Array, format: 'gzip' | 'deflate', limit: number): Promise<Uint8Array | undefined> {
  const reader = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new DecompressionStream(format)).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // A small body may inflate a thousandfold: stop at the limit a plain body has.
      if (size > limit) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
  return joinBytes(chunks, size);
}

function decode(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // A charset TextDecoder does not know: UTF-8, with U+FFFD where it does not fit.
    return new TextDecoder().decode(bytes);
  }
}
