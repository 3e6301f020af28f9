import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { docPages } from '../../scripts/doc-pages';

/**
 * The README and the docs pages link to each other, to examples and to headings. A page moved or a
 * heading reworded breaks a link silently, so every relative link is checked here: its file exists,
 * its heading exists, and the file is in the published package (the pages ship in it, and a user
 * reading them in node_modules follows the same links).
 */
const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** The Markdown we write, CONTRIBUTING.md included: the README links to it. */
function pages(): string[] {
  return [...docPages(root), 'CONTRIBUTING.md'];
}

/** Markdown without its fenced code blocks (indented too) and comments: code, not headings or links. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^( *)(```|~~~)[^\n]*\n[\s\S]*?^\1\2 *$/gm, '').replace(/<!--[\s\S]*?-->/g, '');
}

/** Markdown with code blocks and inline code removed: links inside code are code. */
function prose(markdown: string): string {
  return withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
}

/**
 * The relative link targets of a page: `[text](target)` and `![alt](target)`, web addresses left out.
 * A target with a space (a title, `[a](b.md "t")`) is kept whole, so that it fails to resolve rather
 * than go unchecked.
 */
function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a page, a repeated heading numbered as GitHub numbers it (`-1`, `-2`, … until unused). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = slugOf(heading ?? '');
    let anchor = slug;
    for (let count = 1; anchors.has(anchor); count++) anchor = `${slug}-${count}`;
    anchors.add(anchor);
  }
  return anchors;
}

function packedFiles(): Set<string> {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(output) as [{ files: { path: string }[] }];
  return new Set(pack.files.map((file) => file.path));
}

describe('links in the README and docs/', () => {
  const shipped = packedFiles();
  const links = pages().flatMap((page) => linksOf(read(page)).map((target) => ({ page, target })));

  it('finds the pages and their links', () => {
    expect(pages()).toEqual(expect.arrayContaining(['README.md', 'docs/options.md', 'docs/frameworks/hono.md']));
    expect(links.length).toBeGreaterThan(50);
  });

  it.each(links)('$page → $target resolves to a file and heading in the package', ({ page, target }) => {
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? page : normalize(join(dirname(page), decodeURI(path)));
    expect(relative(root, join(root, file))).not.toMatch(/^\.\./);
    expect(existsSync(join(root, file))).toBe(true);
    expect(shipped.has(file)).toBe(true);
    if (anchor !== undefined) expect([...anchorsOf(read(file))]).toContain(anchor);
  });
});

describe('a long page in docs/', () => {
  /** Longer than this many lines, a page opens with a list of its sections. */
  const LONG = 120;
  const long = pages().filter((page) => page.startsWith('docs/') && read(page).split('\n').length > LONG);

  it.each(long)('%s opens with a link to each of its sections', (page) => {
    const markdown = withoutCodeBlocks(read(page));
    const sections = [...markdown.matchAll(/^## +(.+?) *$/gm)].map((match) => slugOf(match[1] ?? ''));
    expect(sections.length).toBeGreaterThan(1);
    const opening = linksOf(markdown.slice(0, markdown.search(/^## /m)));
    expect(sections.filter((slug) => !opening.includes(`#${slug}`))).toEqual([]);
  });
});

describe('slugOf and anchorsOf, the way GitHub writes anchors', () => {
  it.each([
    ['Serverless platforms and the Fetch handler', 'serverless-platforms-and-the-fetch-handler'],
    ['`ack`', 'ack'],
    ['`maxBytesInFlight` and `limit`', 'maxbytesinflight-and-limit'],
    ['node:http and the Fetch API', 'nodehttp-and-the-fetch-api'],
    ['What a crash loses, mode by mode', 'what-a-crash-loses-mode-by-mode'],
    ['The [Redis](redis.md) store', 'the-redis-store'],
    ['dead_letter & replay', 'dead_letter--replay'],
  ])('%s → #%s', (heading, slug) => {
    expect(slugOf(heading)).toBe(slug);
  });

  it('numbers a repeated heading until the anchor is unused, and skips headings inside code blocks', () => {
    const anchors = anchorsOf('# A\n## Usage\n```sh\n# not a heading\n```\n## Usage 1\n## Usage\n  ~~~\n  ## nor this\n  ~~~\n## Usage\n');
    expect([...anchors]).toEqual(['a', 'usage', 'usage-1', 'usage-2', 'usage-3']);
  });

  it('reads only links outside code and comments, and keeps a titled one whole so that it fails', () => {
    const markdown = '[a](a.md) `[b](b.md)` [c](https://example.org)\n```md\n[d](d.md)\n```\n![e](e.png) <!-- [f](f.md) --> [g](g.md "G")';
    expect(linksOf(markdown)).toEqual(['a.md', 'e.png', 'g.md "G"']);
  });
});
