import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { plainName } from "./plain-name.js";

// Which config file, and which project: what every command needs first, kept apart from the loader so that
// `ps`, `port`, `env` and `down` do not load the validator and the rules to learn a name.

/** Names searched for, in each folder from the working folder up to the root. */
export const CONFIG_NAMES = ["portmate.yaml", "portmate.yml"];

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Only the project name of the config file: enough for `ps`, `down` and `logs`, which must work even when the
 * file has errors (a stack started before an edit can still be stopped). `-p` wins; then `name:` if the file
 * has a usable one; then the folder's name. A plain `name:` line is read without the YAML parser (see
 * plain-name.ts), which is loaded only for a file that says its name otherwise.
 */
export async function readProjectName(options: { file?: string; cwd?: string; projectName?: string } = {}): Promise<string> {
  if (options.projectName !== undefined) return projectName(options.projectName, undefined, "");
  const file = findConfigFile(options.file, resolve(options.cwd ?? process.cwd()));
  let name: unknown;
  try {
    const text = readFileSync(file, "utf8");
    const plain = plainName(text);
    name = plain ? plain.name : (await import("./parsed-name.js")).parsedName(text);
  } catch {
    name = undefined;
  }
  return projectName(undefined, typeof name === "string" && PROJECT_NAME.test(name) ? name : undefined, dirname(file));
}

export function findConfigFile(file: string | undefined, cwd: string): string {
  if (file !== undefined) {
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new UsageError(`config file ${file} does not exist`, "check the path given to -f/--file");
    return path;
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no ${CONFIG_NAMES[0]} in ${cwd} or any folder above it`, "create one (see the README), or pass -f FILE");
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
