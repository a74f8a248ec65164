import { createRequire } from "node:module";

// node:child_process (with net, dgram and streams behind it) costs a few milliseconds to load: code that every
// command carries, such as the entry's early start of `up`, gets it from here when it first starts a process,
// so that commands which start none (ps, port, env) never load it.

let loaded: typeof import("node:child_process") | undefined;

/** node:child_process, loaded on first use. */
export function childProcess(): typeof import("node:child_process") {
  loaded ??= createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  return loaded;
}
