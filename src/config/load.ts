import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { ConfigError, UsageError, type ConfigIssue } from "../errors.js";
import { readEnvFiles } from "./env-file.js";
import { normalizeRange, normalizeService } from "./normalize.js";
import { type NormalizeContext } from "./normalize-values.js";
import { commandsExist, rules } from "./rules.js";
import { ConfigSource } from "./source.js";
import type { PortmateConfig, RawConfig } from "./types.js";
import { validateSchema } from "./validate.js";

/** Names searched for, in each folder from the working folder up to the root. */
export const CONFIG_NAMES = ["portmate.yaml", "portmate.yml"];

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export interface LoadConfigOptions {
  /** The config file; default: `portmate.yaml` in `cwd` or the nearest folder above it. */
  file?: string;
  /** Folder to resolve `file` against and to search from (default: `process.cwd()`). */
  cwd?: string;
  /** Overrides the project name of the file (`-p`). */
  projectName?: string;
  /** Environment for `${VAR}` interpolation (default: `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Whether the commands run on this machine (default true), so each program must be found here. `portmate
   * export` hands them to another engine, where they run in an image (or on another host).
   */
  commandsRunHere?: boolean;
}

/** A loaded config and the problems that did not stop it (unset variables…). */
export interface LoadedConfig {
  config: PortmateConfig;
  warnings: ConfigIssue[];
}

/**
 * Reads, validates and normalizes a portmate.yaml in stages: YAML syntax → JSON Schema → normalization →
 * semantic rules. Throws a ConfigError listing every problem of the first stage that has any.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = findConfigFile(options.file, cwd);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const source = new ConfigSource(file, displayName(file, cwd), text);
  return parseConfig(source, options);
}

/** The same stages as loadConfig, on text already read (used by tests and tools). */
export function parseConfig(source: ConfigSource, options: Pick<LoadConfigOptions, "projectName" | "env" | "commandsRunHere"> = {}): LoadedConfig {
  const syntax = source.syntaxIssues();
  if (syntax.length) throw new ConfigError(syntax);

  const built = source.toJS();
  if (built.issues.length) throw new ConfigError(built.issues);
  const data = built.data ?? {};
  const schemaIssues = validateSchema(data, source);
  if (schemaIssues.length) throw new ConfigError(schemaIssues);
  const raw = data as RawConfig;

  const dir = dirname(source.file);
  const ctx: NormalizeContext = { source, dir, issues: [] };
  const envFromFiles = readEnvFiles(raw.env_file, ctx, ["env_file"]);
  const config: PortmateConfig = {
    file: source.file,
    dir,
    project: projectName(options.projectName, raw.name, dir),
    range: normalizeRange(raw, ctx),
    env: { ...envFromFiles, ...definedOnly(options.env ?? process.env) },
    envFiles: (raw.env_file === undefined ? [] : [raw.env_file].flat()).map((file) => resolve(dir, file)),
    services: new Map(Object.entries(raw.services).map(([name, service]) => [name, normalizeService(name, service, ctx)])),
  };
  if (ctx.issues.length) throw new ConfigError(ctx.issues);

  const warnings: ConfigIssue[] = [];
  const active = options.commandsRunHere === false ? rules.filter((rule) => rule !== commandsExist) : rules;
  const issues = active.flatMap((rule) => rule({ config, raw, source, warnings }));
  if (issues.length) throw new ConfigError(issues);
  return { config, warnings };
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Only the project name of the config file: enough for `ps`, `down` and `logs`, which must work even when the
 * file has errors (a stack started before an edit can still be stopped). `-p` wins; then `name:` if the YAML
 * has a usable one; then the folder's name.
 */
export function readProjectName(options: Pick<LoadConfigOptions, "file" | "cwd" | "projectName"> = {}): string {
  if (options.projectName !== undefined) return projectName(options.projectName, undefined, "");
  const file = findConfigFile(options.file, resolve(options.cwd ?? process.cwd()));
  let name: unknown;
  try {
    name = (parse(readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
  } catch {
    name = undefined;
  }
  return projectName(undefined, typeof name === "string" && PROJECT_NAME.test(name) ? name : undefined, dirname(file));
}

function findConfigFile(file: string | undefined, cwd: string): string {
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

/** The file as messages show it: relative to the working folder when it is inside it. */
function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== ".." ? rel : file;
}

function projectName(override: string | undefined, fromFile: string | undefined, dir: string): string {
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
