/** The path of a request URL, without its query string. */
export function pathnameOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Whether `pathname` is `path`, give or take trailing slashes (`path` has none unless it is `/`). */
export function isPath(pathname: string, path: string): boolean {
  if (pathname === path) return true;
  let end = pathname.length;
  while (end > 1 && pathname.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length && pathname.startsWith(path);
}
