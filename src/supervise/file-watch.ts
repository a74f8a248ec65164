import { readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { subscribe, type AsyncSubscription } from "@parcel/watcher";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import type { PlannedWatch } from "../plan/types.js";
import { isFolder } from "../util/is-folder.js";

/** Told the files (relative to the config's folder) that changed; the next call waits until it has resolved. */
export type ChangeHandler = (files: string[]) => Promise<void>;

/** Folders no change in which ever restarts anything. */
const ALWAYS_IGNORED = [".git/", ".hg/", ".svn/"];

/**
 * Watches a service's `watch:` paths and tells `onChange` once a burst of changes is over: one call for an
 * editor's atomic save, a `git checkout` of 500 files, or a folder deleted and made again. While `onChange`
 * runs (a restart, a rebuild), changes are gathered for one more call after it.
 *
 * @parcel/watcher does the watching, natively: one inotify watch per folder on Linux, FSEvents on macOS, no
 * polling, and no object per file in this process (chokidar's fs.watch per file cost a supervisor ~150 MB for
 * 20 000 files). A path that does not exist yet is watched from its nearest folder that does.
 */
export class FileWatch {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private subscriptions: AsyncSubscription[] = [];

  private constructor(
    private readonly debounceMs: number,
    private readonly onChange: ChangeHandler,
  ) {}

  /** Starts watching; resolves once the watches are in place, so that a change made from then on is seen. */
  static async start(spec: PlannedWatch, onChange: ChangeHandler): Promise<FileWatch> {
    const patterns = spec.paths.map(cleanPattern);
    const matches = patterns.map(matcherOf);
    const { rules, folders } = ignoreRules(spec);
    const fileWatch = new FileWatch(spec.debounceMs, onChange);
    const report = (path: string) => {
      const rel = relative(spec.root, path).split(sep).join("/");
      if (rel === "" || rel.startsWith("../") || isAbsolute(rel)) return;
      if (matches.some((match) => match(rel)) && !rules.ignores(rel)) fileWatch.changed(rel);
    };
    const roots = outermost(patterns.map((pattern) => existingFolder(join(spec.root, baseOf(pattern)), spec.root)));
    try {
      for (const root of roots) {
        fileWatch.subscriptions.push(
          await subscribe(
            root,
            (error, events) => {
              // A folder that cannot be read is left out, as an editor's file tree would: it changes nothing here.
              if (error) return;
              for (const event of events) {
                report(event.path);
                // Files made in a folder just made may come before its watch does: look in it once.
                if (event.type === "create" && isFolder(event.path)) for (const file of filesUnder(event.path)) report(file);
              }
            },
            { ignore: folders },
          ),
        );
      }
    } catch (error) {
      await fileWatch.close();
      throw error;
    }
    return fileWatch;
  }

  /** Stops watching (a call of `onChange` under way is not waited for: it may be what waits for this). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
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

/** `path` if it is a folder that exists, else the nearest folder above it that does (at most `root`). */
function existingFolder(path: string, root: string): string {
  let folder = path;
  while (folder !== root && folder.startsWith(root) && !isFolder(folder)) folder = dirname(folder);
  return folder;
}

/** Every file under a folder (relative paths joined to it); none when it is gone again. */
function filesUnder(folder: string): string[] {
  try {
    return readdirSync(folder, { recursive: true, encoding: "utf8" }).map((name) => join(folder, name));
  } catch {
    return [];
  }
}

/** The folders of `folders` that are in no other one of them: watching those sees everything. */
function outermost(folders: readonly string[]): string[] {
  const unique = [...new Set(folders)];
  return unique.filter((folder) => !unique.some((other) => other !== folder && folder.startsWith(`${other}${sep}`)));
}

/** `./src/` → `src`: patterns as picomatch and the paths the watcher reports compare. */
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

/**
 * The `.gitignore` beside the config, the service's own `ignore:`, and version-control folders, as `ignore`
 * matches them (git's rules); and the folders among them simple enough to hand to the watcher, so it does not
 * even watch them (`node_modules/` anywhere, `/build` at the top), unless a rule brings files back (`!keep`).
 */
function ignoreRules(spec: PlannedWatch): { rules: Ignore; folders: string[] } {
  let gitignore = "";
  try {
    gitignore = readFileSync(join(spec.root, ".gitignore"), "utf8");
  } catch {
    // no .gitignore: nothing more is ignored
  }
  const lines = [...ALWAYS_IGNORED, ...spec.ignore, ...gitignore.split(/\r?\n/)].map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  const rules = ignore().add(lines);
  const negated = lines.some((line) => line.startsWith("!"));
  const folders = negated
    ? [".git", ".hg", ".svn"].map((name) => `**/${name}`)
    : lines
        .filter((line) => /^\/?[\w.-]+\/?$/.test(line))
        .map((line) => (line.startsWith("/") ? line.slice(1).replace(/\/$/, "") : `**/${line.replace(/\/$/, "")}`));
  return { rules, folders };
}
