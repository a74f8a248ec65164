import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { plainName } from "./plain-name.js";

// Which config file, and which project: what every command needs first, kept apart from the loader so that
// `ps`, `port`, `env` and `down` do not load the validator and the rules to learn a name.

/** Names searched for, in each folder from the working folder up to the root. */
export const CONFIG_NAMES = ["portmate.yaml", "portmate.yml"];

/** Merged over the config found by that search (not over files given with `-f`), as compose's compose.override.yaml. */
export const OVERRIDE_NAMES = ["portmate.override.yaml", "portmate.override.yml"];

/** `-f`: one config file, or several merged in order (relative to the working folder). */
export type ConfigFiles = string | readonly string[];

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Only the project name of the config file: enough for `ps`, `down` and `logs`, which must work even when the
 * file has errors (a stack started before an edit can still be stopped). `-p` wins; then `name:` if the file
 * has a usable one; then the folder's name. A plain `name:` line is read without the YAML parser (see
 * plain-name.ts), which is loaded only for a file that says its name otherwise.
 */
export async function readProjectName(options: { file?: ConfigFiles; cwd?: string; projectName?: string } = {}): Promise<string> {
  if (options.projectName !== undefined) return projectName(options.projectName, undefined, "");
  const files = findConfigFiles(options.file, resolve(options.cwd ?? process.cwd()));
  // The last file that says a name wins, as its `name:` does in the merged config.
  let name: unknown;
  for (const file of files) {
    try {
      const text = readFileSync(file, "utf8");
      const plain = plainName(text);
      const named = plain ? plain.name : (await import("./parsed-name.js")).parsedName(text);
      if (named !== undefined) name = named;
    } catch {
      // unreadable: the loader says why
    }
  }
  return projectName(undefined, typeof name === "string" && PROJECT_NAME.test(name) ? name : undefined, dirname(files[0]));
}

/**
 * The config files to read, in order, absolute: each `-f` (which must exist); else the config searched from `cwd`
 * up, with the portmate.override.yaml beside it when there is one.
 */
export function findConfigFiles(file: ConfigFiles | undefined, cwd: string): [string, ...string[]] {
  const given = typeof file === "string" ? [file] : file;
  if (given?.length) {
    const paths = given.map((one) => {
      const path = resolve(cwd, one);
      if (!existsSync(path)) throw new UsageError(`config file ${one} does not exist`, "check the path given to -f/--file");
      return path;
    });
    return paths as [string, ...string[]];
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) {
        const override = overrideFiles(path).find((candidate) => existsSync(candidate));
        return override === undefined ? [path] : [path, override];
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no ${CONFIG_NAMES[0]} in ${cwd} or any folder above it`, "create one (see the README), or pass -f FILE");
}

/** The config file that names the project's folder and checkout: the first of findConfigFiles. */
export function findConfigFile(file: ConfigFiles | undefined, cwd: string): string {
  return findConfigFiles(file, cwd)[0];
}

/** Where an override of the config `file` would be: beside it, by OVERRIDE_NAMES, the first that exists wins. */
export function overrideFiles(file: string): string[] {
  return OVERRIDE_NAMES.map((name) => join(dirname(file), name));
}

/** `-p` (checked), else `name:` of the file, else its folder's name made fit. */
export function projectName(override: string | undefined, fromFile: string | undefined, dir: string): string {
  if (override !== undefined) {
    if (!PROJECT_NAME.test(override)) {
      throw new UsageError(`project name "${override}" is not valid`, "use lower-case letters, digits, `-` and `_`, starting with a letter or digit");
    }
    return override;
  }
  if (fromFile !== undefined) return fromFile;
  // Like docker compose: the folder name, lower-cased, with anything else turned into `-`.
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "");
  return name || "default";
}
