/** A header's value, or its first when it came more than once (Node gives repeated headers as arrays). */
export function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
