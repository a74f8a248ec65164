import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError, formatIssue } from "../errors.js";
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
  const files = () => [settings.file, ...stack.plan.wiring.services.flatMap((service) => service.envFiles), ...settings.envFiles, ...dotenv()];
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const apply = async () => {
    stack.notify({ type: "config", service: "", file: settings.file, state: "changed" });
    try {
      await stack.reload();
    } catch (error) {
      // (By its issues, not its class: in a detached supervisor the reader is a script of its own, with its own copy.)
      const issues = (error as Partial<ConfigError>).issues;
      if (issues)
        stack.notify({ type: "config", service: "", file: settings.file, state: "invalid", error: issues.map((issue) => formatIssue(issue)).join("\n") });
      else stack.notify({ type: "config", service: "", file: settings.file, state: "failed", error: (error as Error).message });
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
  const rewatch = () => {
    for (const watcher of watchers) watcher.close();
    if (closed) return;
    // Each file's folder, not the file: an editor's atomic save replaces the file, and a watch of it would end.
    const byFolder = new Map<string, Set<string>>();
    for (const file of files()) byFolder.set(dirname(file), (byFolder.get(dirname(file)) ?? new Set()).add(basename(file)));
    watchers = [...byFolder].flatMap(([folder, names]) => {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (name === null || !names.has(name.toString())) return;
          clearTimeout(timer);
          timer = setTimeout(fire, DEBOUNCE_MS);
          timer.unref();
        });
        watcher.on("error", () => undefined);
        return [watcher];
      } catch {
        return []; // a folder that is gone has nothing to watch
      }
    });
  };
  rewatch();
  return () => {
    closed = true;
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
