import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import type { PlannedWatch } from "../plan/types.js";

/** Told the files (relative to the config's folder) that changed; the next call waits until it has resolved. */
export type ChangeHandler = (files: string[]) => Promise<void>;

/** Folders no change in which ever restarts anything. */
const ALWAYS_IGNORED = [".git/", ".hg/", ".svn/"];

/**
 * Watches a service's `watch:` paths (chokidar: inotify on Linux, FSEvents on macOS, no polling) and tells
 * `onChange` once a burst of changes is over: one call for an editor's atomic save, a `git checkout` of 500
 * files, or a folder deleted and made again. While `onChange` runs (a restart, a rebuild), changes are
 * gathered for one more call after it.
 */
export class FileWatch {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly watcher: FSWatcher,
    private readonly debounceMs: number,
    private readonly onChange: ChangeHandler,
  ) {}

  /** Starts watching; resolves once the initial scan is done, so that a change made from then on is seen. */
  static async start(spec: PlannedWatch, onChange: ChangeHandler): Promise<FileWatch> {
    const patterns = spec.paths.map(cleanPattern);
    const matches = patterns.map(matcherOf);
    const ignored = ignoreRules(spec);
    const roots = [...new Set(patterns.map((pattern) => join(spec.root, baseOf(pattern))))];
    // chokidar says it is ready before it watches the rest when one path does not exist: a path that is not
    // there yet is waited for by a watcher of its nearest folder that is (see whenMade).
    const watcher = watch(
      roots.filter((root) => existsSync(root)),
      {
        ignoreInitial: true,
        ignored: (path, stats) => {
          const rel = relative(spec.root, path).split(sep).join("/");
          if (rel === "" || rel.startsWith("../") || isAbsolute(rel)) return false;
          if (stats) return ignored.ignores(stats.isDirectory() ? `${rel}/` : rel);
          return ignored.ignores(rel) || ignored.ignores(`${rel}/`);
        },
      },
    );
    const fileWatch = new FileWatch(watcher, spec.debounceMs, onChange);
    const report = (path: string) => {
      const rel = relative(spec.root, path).split(sep).join("/");
      if (matches.some((match) => match(rel)) && !ignored.ignores(rel)) fileWatch.changed(rel);
    };
    watcher.on("all", (_event, path) => report(path));
    // A folder that cannot be read is left out, as an editor's file tree would: it changes nothing here.
    watcher.on("error", () => undefined);
    const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    fileWatch.waiting = await Promise.all(
      roots
        .filter((root) => !existsSync(root))
        .map((root) =>
          whenMade(root, spec.root, () => {
            watcher.add(root);
            // What was made with it, before the new watch was in place.
            for (const file of filesUnder(root)) report(file);
          }),
        ),
    );
    await ready;
    return fileWatch;
  }

  /** Watchers of the nearest existing folders of watched paths that do not exist yet. */
  private waiting: FSWatcher[] = [];

  /** Stops watching (a call of `onChange` under way is not waited for: it may be what waits for this). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.all([this.watcher, ...this.waiting].map((watcher) => watcher.close()));
  }

  private changed(file: string): void {
    if (this.closed) return;
    this.pending.add(file);
    // Trailing debounce: the burst is over once nothing changed for debounceMs.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.debounceMs);
  }

  private fire(): void {
    if (this.closed || this.pending.size === 0) return;
    if (this.running) return; // gathered; fired again once the call under way ends
    const files = [...this.pending].sort();
    this.pending = new Set();
    this.running = this.onChange(files)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.fire();
      });
  }
}

/**
 * Calls `made` once `path` (under `root`) exists, by watching its nearest existing folder as deep as needed.
 * Resolves once that watch is ready.
 */
async function whenMade(path: string, root: string, made: () => void): Promise<FSWatcher> {
  let folder = dirname(path);
  while (!existsSync(folder) && folder.startsWith(root) && folder !== root) folder = dirname(folder);
  const depth = relative(folder, path).split(sep).length - 1;
  const watcher = watch(folder, {
    ignoreInitial: true,
    depth,
    ignored: (candidate) => !(candidate === folder || path === candidate || path.startsWith(`${candidate}${sep}`)),
  });
  let done = false;
  watcher.on("addDir", (candidate) => {
    if (candidate !== path || done) return;
    done = true;
    made();
    void watcher.close();
  });
  watcher.on("add", (candidate) => {
    if (candidate !== path || done) return;
    done = true;
    made();
    void watcher.close();
  });
  watcher.on("error", () => undefined);
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return watcher;
}

/** Every file under `path` (or `path` itself, a file), for the changes made with a folder that was just made. */
function filesUnder(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path, { recursive: true, encoding: "utf8" })
      .map((name) => join(path, name))
      .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
  } catch {
    return [];
  }
}

/** `./src/` → `src`: patterns as picomatch and the paths chokidar reports compare. */
function cleanPattern(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, "").replace(/\/+$/, "") || ".";
}

/** Where a pattern's files are: the folder before its first glob character, or the path itself. */
function baseOf(pattern: string): string {
  const scan = picomatch.scan(pattern);
  return scan.isGlob ? scan.base || "." : pattern;
}

/** Whether a changed path (relative, with `/`) is one a pattern watches: a glob's match, or a path at or under it. */
function matcherOf(pattern: string): (path: string) => boolean {
  if (pattern === ".") return () => true;
  if (picomatch.scan(pattern).isGlob) return picomatch(pattern, { dot: true });
  return (path) => path === pattern || path.startsWith(`${pattern}/`);
}

/** The `.gitignore` beside the config, the service's own `ignore:`, and version-control folders. */
function ignoreRules(spec: PlannedWatch): Ignore {
  const rules = ignore().add(ALWAYS_IGNORED).add(spec.ignore);
  try {
    rules.add(readFileSync(join(spec.root, ".gitignore"), "utf8"));
  } catch {
    // no .gitignore: nothing more is ignored
  }
  return rules;
}
