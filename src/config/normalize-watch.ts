import { duration, normalizeCommand, normalizeSignal, type NormalizeContext } from "./normalize-values.js";
import type { ConfigPath } from "./source.js";
import { DEFAULT_WATCH_DEBOUNCE_MS, type RawWatch, type WatchConfig } from "./types.js";

/**
 * `watch:` → WatchConfig: a path or a list of them is `{paths}`; `rebuild` and `signal` exclude each other (a
 * rebuild is followed by a restart, a signal replaces it).
 */
export function normalizeWatch(raw: string | string[] | RawWatch, shell: boolean, ctx: NormalizeContext, at: ConfigPath): WatchConfig {
  const options: RawWatch = typeof raw === "string" || Array.isArray(raw) ? { paths: raw } : raw;
  const watch: WatchConfig = {
    root: ctx.dir,
    paths: [options.paths].flat(),
    ignore: options.ignore === undefined ? [] : [options.ignore].flat(),
    debounceMs: duration(options.debounce, DEFAULT_WATCH_DEBOUNCE_MS, ctx, [...at, "debounce"]),
  };
  const pathsAt = typeof raw === "string" || Array.isArray(raw) ? at : [...at, "paths"];
  for (const [index, path] of watch.paths.entries()) {
    if (path.startsWith("/") || path.split(/[\\/]/).includes("..")) {
      ctx.issues.push(
        ctx.source.issue(Array.isArray(options.paths) ? [...pathsAt, index] : pathsAt, `"${path}" is outside the config's folder`, {
          hint: "watch paths are relative to the folder of portmate.yaml, inside it",
        }),
      );
    }
  }
  if (options.rebuild !== undefined && options.signal !== undefined) {
    ctx.issues.push(ctx.source.issue([...at, "signal"], "use either `rebuild` (then restart) or `signal` (instead of a restart), not both", { at: "key" }));
  }
  if (options.rebuild !== undefined) watch.rebuild = normalizeCommand(options.rebuild, shell && typeof options.rebuild === "string", ctx, [...at, "rebuild"]);
  if (options.signal !== undefined) {
    const name = options.signal.startsWith("SIG") ? options.signal : `SIG${options.signal}`;
    watch.signal = normalizeSignal(name, ctx, [...at, "signal"]);
  }
  return watch;
}
