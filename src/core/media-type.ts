/**
 * Whether a `Content-Type` may carry a Converc event: `application/json` or any `application/*+json`,
 * in any letter case, with a UTF-8 charset if one is named. A missing header is tolerated: the
 * provider documents none, and refusing would lose the event.
 */
export function isJsonContentType(header: string | undefined): boolean {
  // What the provider sends, checked before any parsing.
  if (header === 'application/json') return true;
  if (header === undefined || header.trim() === '') return true;
  const type = (header.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) return false;
  const charset = charsetOf(header);
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

/** The `charset` a `Content-Type` names, in lower case and unquoted, or `undefined` when it names none. */
export function charsetOf(header: string | undefined): string | undefined {
  for (const parameter of (header ?? '').split(';').slice(1)) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') return value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** Whether a `Content-Encoding` leaves the body as sent: missing, empty or `identity`. */
export function isIdentityEncoding(header: string | undefined): boolean {
  return header === undefined || header.trim() === '' || header.trim().toLowerCase() === 'identity';
}
