import type { ConfigIssue } from "../errors.js";
import { pathKey, type ConfigLocator, type ConfigPath, type ConfigSource, type IssueOptions, type MergeTag } from "./source.js";

/**
 * Several config files read as one, in order (`-f a.yaml -f b.yaml`, or portmate.yaml and the
 * portmate.override.yaml beside it), with docker compose's rules: maps merge key by key, and a list or a value
 * of a later file replaces the earlier one. Each problem of the merged config points into the file that set the
 * key it is about.
 */
export class MergedSource implements ConfigLocator {
  /** The first file: its folder is the project's, where relative paths of every file start (as in compose). */
  readonly file: string;

  constructor(readonly sources: readonly [ConfigSource, ...ConfigSource[]]) {
    this.file = sources[0].file;
  }

  /** Every file's YAML syntax errors. */
  syntaxIssues(): ConfigIssue[] {
    return this.sources.flatMap((source) => source.syntaxIssues());
  }

  /** Every file's unknown tags (see ConfigSource.tagWarnings). */
  tagWarnings(): ConfigIssue[] {
    return this.sources.flatMap((source) => source.tagWarnings());
  }

  /** The merged data, or every file's problems in building its own. An empty later file adds nothing. */
  toJS(): { data: unknown; issues: ConfigIssue[] } {
    const built = this.sources.map((source) => source.toJS());
    const issues = built.flatMap((one) => one.issues);
    if (issues.length) return { data: undefined, issues };
    // Every file merges over what came before, the first over nothing: its own `!reset` keys go too.
    const data = built.reduce<unknown>((merged, { data: next }, index) => {
      if (next === undefined || next === null) return merged;
      return mergeData(merged, next, this.sources[index]?.mergeTags());
    }, undefined);
    return { data, issues };
  }

  /**
   * An issue pointing into the file the value at `path` came from: the last file that sets it (a later file's
   * value replaced the others). For a path no file sets (a required key missing), the file with most of it, and
   * of those the first: where that service or setting was written first.
   */
  issue(path: ConfigPath, message: string, options: IssueOptions = {}): ConfigIssue {
    let best = this.sources[0];
    let bestDepth = -1;
    for (const source of this.sources) {
      const depth = source.depthOf(path);
      if (depth > bestDepth || (depth === path.length && depth === bestDepth)) {
        best = source;
        bestDepth = depth;
      }
    }
    return best.issue(path, message, options);
  }
}

/**
 * `next` over `base`: maps merge key by key (recursively); anything else of `next` replaces `base`. `tags`
 * (the later file's, by path) make a key go (`!reset`) or replace without merging (`!override`).
 */
export function mergeData(base: unknown, next: unknown, tags: ReadonlyMap<string, MergeTag> = new Map(), path: ConfigPath = []): unknown {
  if (!isPlainMap(next)) return next;
  if (!isPlainMap(base)) {
    // Nothing to merge with, yet `next` may hold `!reset` keys of its own: merged over an empty map they go.
    return tags.size ? mergeData({}, next, tags, path) : next;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(next)) {
    const at = [...path, key];
    const tag = tags.get(pathKey(at));
    if (tag === "reset") {
      delete merged[key];
      continue;
    }
    const earlier = tag === "override" || !Object.hasOwn(merged, key) ? undefined : merged[key];
    // Defined, not assigned: a `__proto__` key of the file is a key like any other (as the yaml library keeps it).
    Object.defineProperty(merged, key, { value: mergeData(earlier, value, tags, at), enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
