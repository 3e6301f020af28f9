/**
 * Whether a `Content-Type` may carry a Converc event: `application/json` or any `application/*+json`,
 * in any letter case, with a UTF-8 charset if one is named. A missing header is tolerated: the
 * provider documents none, and refusing would lose the event.
 */
export function isJsonContentType(header: string | undefined): boolean {
  // What the provider sends, checked before any parsing.
  if (header === 'application/json') return true;
  if (header === undefined || header.trim() === '') return true;
  const [essence = '', ...parameters] = header.split(';');
  const type = essence.trim().toLowerCase();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) return false;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

/** Whether a `Content-Encoding` leaves the body as sent: missing, empty or `identity`. */
export function isIdentityEncoding(header: string | undefined): boolean {
  return header === undefined || header.trim() === '' || header.trim().toLowerCase() === 'identity';
}
