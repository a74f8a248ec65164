import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError, formatIssue } from "../errors.js";
import { overrideFiles } from "../config/project-name.js";
import type { Plan } from "../plan/types.js";
import type { StackEvent } from "../supervise/events.js";

/** What of a running stack (a Stack) watching its config needs. */
export interface WatchedStack {
  readonly plan: Plan;
  reload(): Promise<unknown>;
  notify(event: StackEvent): void;
}

/** Quiet time after the last change of a config file before it is read: an editor's save is several events. */
const DEBOUNCE_MS = 200;

/**
 * Applies the config to the running stack each time it (or an env file it reads) is saved, once the save is
 * over; tells the stack's listeners (a `config` event, then one `reconfigured` event per service acted on, or
 * the error with its position). Returns the function that stops watching.
 */
export function watchConfig(stack: WatchedStack): () => void {
  const settings = stack.plan.reload;
  if (!settings) return () => undefined;
  // The `.env` beside the config is watched also when there is none: one that appears changes `${VAR}`.
  const dotenv = () => settings.dotenvFiles ?? [join(dirname(settings.file), ".env")];
  // So is the override beside a config found by its name: one that appears is merged from then on.
  const configs = settings.files ?? [settings.file, ...overrideFiles(settings.file)];
  const files = () => [...configs, ...stack.plan.wiring.services.flatMap((service) => service.envFiles), ...settings.envFiles, ...dotenv()];
  let timer: NodeJS.Timeout | undefined;
  // The file saved last, as messages name it (`portmate.override.yaml changed: applying it`, `.env changed…`).
  let lastSaved = settings.file;
  let applying: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const apply = async () => {
    const saved = lastSaved;
    stack.notify({ type: "config", service: "", file: saved, state: "changed" });
    try {
      await stack.reload();
    } catch (error) {
      // (By its issues, not its class: in a detached supervisor the reader is a script of its own, with its own copy.)
      const issues = (error as Partial<ConfigError>).issues;
      if (issues) stack.notify({ type: "config", service: "", file: saved, state: "invalid", error: issues.map((issue) => formatIssue(issue)).join("\n") });
      else stack.notify({ type: "config", service: "", file: saved, state: "failed", error: (error as Error).message });
    }
    rewatch(); // the env files may be others now
  };
  const fire = () => {
    if (closed) return;
    if (applying) {
      again = true;
      return;
    }
    applying = apply().finally(() => {
      applying = undefined;
      if (again) {
        again = false;
        fire();
      }
    });
  };
  // Each file's folder is watched, not the file: an editor's atomic save replaces the file, and a watch of it
  // would end. A folder still wanted keeps its watch when the files change: one closed and made again would
  // miss a save made meanwhile (as one made while the config was being applied).
  const watched = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  const rewatch = () => {
    if (closed) return;
    const byFolder = new Map<string, Set<string>>();
    for (const file of files()) byFolder.set(dirname(file), (byFolder.get(dirname(file)) ?? new Set()).add(basename(file)));
    for (const [folder, entry] of watched) {
      if (byFolder.has(folder)) continue;
      entry.watcher.close();
      watched.delete(folder);
    }
    for (const [folder, names] of byFolder) {
      const entry = watched.get(folder);
      if (entry) {
        entry.names = names;
        continue;
      }
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (name === null || !watched.get(folder)?.names.has(name.toString())) return;
          lastSaved = join(folder, name.toString());
          clearTimeout(timer);
          timer = setTimeout(fire, DEBOUNCE_MS);
          timer.unref();
        });
        // A folder removed ends its watch: the next rewatch makes it again, if the folder is back.
        watcher.on("error", () => {
          watcher.close();
          if (watched.get(folder)?.watcher === watcher) watched.delete(folder);
        });
        watched.set(folder, { watcher, names });
      } catch {
        // a folder that is gone has nothing to watch
      }
    }
  };
  rewatch();
  return () => {
    closed = true;
    clearTimeout(timer);
    for (const entry of watched.values()) entry.watcher.close();
    watched.clear();
  };
}
