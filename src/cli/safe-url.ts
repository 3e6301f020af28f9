/** The URL without its user and password, for messages: a password must not reach a terminal or a log. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the given URL';
  }
}
