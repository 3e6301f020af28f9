import { usageError } from './cli-error';

/**
 * The `--url` option (or another, named `option`) as a URL: required, absolute, http or https. A URL without its scheme
 * (`localhost:3000/hook`) parses with `localhost:` as the scheme, so the error suggests the fix.
 */
export function urlOption(value: string | undefined, command: string, option = '--url'): URL {
  if (value === undefined || value === '') throw usageError(`${option} is required: where to send the events`, command);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url;
  const hint = /^[a-z]+:\/\//i.test(value) ? '' : ` (did you mean http://${value}?)`;
  throw usageError(`${option} must be an http or https URL, got ${JSON.stringify(value)}${hint}`, command);
}
