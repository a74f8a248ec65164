import { isAscii } from "node:buffer";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

// Loads a command's (or the supervisor's) CommonJS bundle (see scripts/bundle-cli.mjs) as a vm.Script with V8's
// code cache: Node 20 caches the compiled code of no ES module, and compiling the bundle was a fifth of a
// command's start. The cache of a bundle is written once, when the process exits, so that it holds the
// functions the command ran (V8 compiles a function when it is first called), and read by every later run. The
// cache is an optimisation only: whatever goes wrong reading or writing it (no home, a read-only folder, a
// corrupt or foreign file), the bundle is compiled as it would be without one.

/** The folder of the code caches: PORTMATE_CACHE_DIR, else the user's cache folder. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTMATE_CACHE_DIR) return env.PORTMATE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "portmate");
}

/**
 * The name of the cache of a script: V8's data fits only the same source (`key`, a hash of it the build
 * computed, and its length), Node (and so V8), and flags. V8 checks the version and flags itself, but of the
 * source only its length.
 */
function cacheName(file: string, key: string, length: number): string {
  const runtime = `${process.version}-${process.arch}-${length}-${fnv1a(`${process.execArgv.join(" ")}\0${process.env.NODE_OPTIONS ?? ""}`)}`;
  return `${basename(file)}-${key}-${runtime}.v8`;
}

/** A short hash of a short text (the flags): no need to load node:crypto for it. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16);
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (a reader sees the old file or the new one) and drops the bundle's older ones. */
function writeCache(dir: string, name: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, join(dir, name));
    const prefix = `${name.slice(0, name.indexOf(".cjs-"))}.cjs-`;
    for (const other of readdirSync(dir)) if (other !== name && other.startsWith(prefix) && other.endsWith(".v8")) rmSync(join(dir, other), { force: true });
  } catch {
    // No cache, then: the next run compiles the bundle again.
  }
}

/**
 * Runs the CommonJS script `file` as Node's loader would, with its code cache when there is a valid one. `key`
 * is a hash of the script's content.
 */
export function loadCached(file: string, key: string): unknown {
  // The build leaves the scripts ASCII, read as Latin-1 without decoding UTF-8; anything else is decoded.
  const bytes = readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
  let dir: string | undefined;
  try {
    dir = codeCacheDir();
  } catch {
    // No home folder (os.homedir() throws without one): no cache.
  }
  const name = cacheName(file, key, source.length);
  const cachedData = dir === undefined ? undefined : readCache(join(dir, name));
  // On one line with the bundle's first, as Node's own wrapper, so that line numbers stay the bundle's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (dir !== undefined && (!cachedData || script.cachedDataRejected)) {
    const cacheDir = dir;
    process.once("exit", () => {
      let data: Buffer;
      try {
        data = script.createCachedData();
      } catch {
        return;
      }
      writeCache(cacheDir, name, data);
    });
  }
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}
