/**
 * @module output/suggest
 * "Did you mean": the known names closest to what the user typed, by edit distance (fastest-levenshtein).
 */
import { distance } from 'fastest-levenshtein';

/**
 * Levenshtein distance between two strings (case-insensitive).
 *
 * @example
 * ```ts
 * editDistance('sentimnt', 'sentiment'); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  return distance(a.toLowerCase(), b.toLowerCase());
}

/**
 * Up to `limit` candidates closest to `input`, nearest first: by edit distance to the whole candidate, to one
 * of its words, or to its beginning; a candidate containing the input counts as closest.
 *
 * @example
 * ```ts
 * closestMatches('sentiment', ['Sentiment Analysis', 'Text Embedding']); // ['Sentiment Analysis']
 * ```
 */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const needle = input.toLowerCase();
  const scored = [...new Set(candidates)].map((candidate) => ({
    candidate,
    distance: closeness(needle, candidate.toLowerCase()),
  }));
  const threshold = Math.max(2, Math.ceil(needle.length / 3));
  return scored
    .filter((s) => s.distance <= threshold)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** How far a candidate is from the input: whole, by its words, or by a prefix of the input's length. */
function closeness(needle: string, candidate: string): number {
  if (candidate.includes(needle) || needle.includes(candidate)) return 0;
  const words = candidate.split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  return Math.min(
    editDistance(needle, candidate),
    ...words.map((word) => editDistance(needle, word) + 1),
    editDistance(needle, candidate.slice(0, needle.length)) + 1,
  );
}
