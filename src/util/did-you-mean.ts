import { UsageError } from "../errors.js";

/** The closest candidate to `word` when it is close enough to be a likely typo, else undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "backend"?)` after a name that is none of `candidates`, or "" when none is close. */
export function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const guess = didYouMean(word, candidates);
  return guess ? ` (did you mean "${guess}"?)` : "";
}

/**
 * The error for a name that is none of `known`, in one form everywhere: `message` with the likeliest name, and
 * the names there are as its hint (`services: backend, ui`).
 */
export function unknownNameError(name: string, known: readonly string[], say: { message: string; list: string }): UsageError {
  return new UsageError(`${say.message}${didYouMeanSuffix(name, known)}`, `${say.list}: ${known.join(", ")}`);
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment): `bahs` is
 * one typo away from `bash`, as a person sees it.
 */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
