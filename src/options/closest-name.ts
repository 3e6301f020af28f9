/**
 * The name in `known` closest to `name`, for a "did you mean" hint, ignoring case (`allowIPs` finds
 * `allowIps`): one that starts with it or that it starts with (`ttl` finds `ttlMs`), or one within a
 * third of its length in edits, a swap of two neighbours counting as one (`onEror` finds `onError`,
 * `sned` finds `send`); else `undefined`. Of two as near, the one fewer edits away wins
 * (`replay-faild` finds `replay-failed`, not `replay`).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  let bestEdits = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const prefix = other.startsWith(lower) || lower.startsWith(other);
    const edits = editDistance(lower, other);
    const distance = prefix ? Math.min(1, edits) : edits;
    if (distance < bestDistance || (distance === bestDistance && edits < bestEdits)) {
      best = candidate;
      bestDistance = distance;
      bestEdits = edits;
    }
  }
  return best;
}

/**
 * The optimal string alignment distance: the fewest insertions, deletions, substitutions and swaps of
 * two neighbouring characters that turn `a` into `b` (Levenshtein's, plus the swap typists make).
 */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current[j] = distance;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
