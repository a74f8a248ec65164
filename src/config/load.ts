import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { shownPath } from "../util/shown-path.js";
import { ConfigError, UsageError, type ConfigIssue } from "../errors.js";
import { readDotenv } from "./dotenv.js";
import { readEnvFiles } from "./env-file.js";
import { normalizeRange, normalizeService } from "./normalize.js";
import { type NormalizeContext } from "./normalize-values.js";
import { alwaysStarts, missingPrograms } from "./programs.js";
import { rules } from "./rules.js";
import { MergedSource } from "./merged-source.js";
import { ConfigSource } from "./source.js";
import type { PortmateConfig, RawConfig, ServiceConfig } from "./types.js";
import { validateSchema } from "./validate.js";
import { findConfigFiles, projectName, type ConfigFiles } from "./project-name.js";

export { CONFIG_NAMES, OVERRIDE_NAMES, type ConfigFiles } from "./project-name.js";

export interface LoadConfigOptions {
  /**
   * The config file, or several merged in order (maps merge, a later file's lists and values win); default:
   * `portmate.yaml` in `cwd` or the nearest folder above it, with the `portmate.override.yaml` beside it.
   */
  file?: ConfigFiles;
  /** Folder to resolve `file` against and to search from (default: `process.cwd()`). */
  cwd?: string;
  /** Overrides the project name of the file (`-p`). */
  projectName?: string;
  /** Environment for `${VAR}` interpolation (default: `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * `--env-file`: files read for `${VAR}` interpolation instead of the `.env` beside the config, relative to
   * `cwd`; a later one wins, the environment wins over all. Each must exist.
   */
  envFiles?: readonly string[];
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
  /**
   * Services that start only when asked (disabled, or with profiles) whose program is not found here, with the
   * problem: an error once one is to start (checkPrograms). Empty when the commands do not run here.
   */
  missingPrograms: ReadonlyMap<string, ConfigIssue>;
}

/**
 * Reads, validates and normalizes a portmate.yaml in stages: YAML syntax → JSON Schema → normalization →
 * semantic rules. Throws a ConfigError listing every problem of the first stage that has any.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const sources = findConfigFiles(options.file, cwd).map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    return new ConfigSource(file, shownPath(file, cwd), text);
  }) as [ConfigSource, ...ConfigSource[]];
  const envFiles = options.envFiles?.map((given) => resolve(cwd, given));
  const loaded = parseConfig(sources, { ...options, ...(envFiles ? { envFiles } : {}) });
  loaded.config.foundByName = options.file === undefined || options.file.length === 0;
  return loaded;
}

/** The same stages as loadConfig, on text already read (used by tests and tools): one file, or several merged in order. */
export function parseConfig(
  given: ConfigSource | readonly [ConfigSource, ...ConfigSource[]],
  options: Pick<LoadConfigOptions, "projectName" | "env" | "commandsRunHere" | "envFiles"> = {},
): LoadedConfig {
  const source = new MergedSource(given instanceof ConfigSource ? [given] : given);
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
  const dotenv = readDotenv(dir, options.envFiles);
  const env = { ...envFromFiles, ...definedOnly(options.env ?? process.env) };
  const config: PortmateConfig = {
    file: source.file,
    files: source.sources.map((one) => one.file),
    foundByName: false,
    dir,
    project: projectName(options.projectName, raw.name, dir),
    range: normalizeRange(raw, ctx),
    env,
    envFiles: (raw.env_file === undefined ? [] : [raw.env_file].flat()).map((file) => resolve(dir, file)),
    variables: { ...dotenv.vars, ...env },
    dotenvFiles: dotenv.files,
    services: new Map(Object.entries(raw.services).map(([name, service]) => [name, normalizeService(name, service, ctx)])),
  };
  if (raw.proxy !== undefined && raw.proxy !== false) config.proxy = { https: raw.proxy !== true && raw.proxy.https === true };
  if (ctx.issues.length) throw new ConfigError(ctx.issues);

  const warnings: ConfigIssue[] = source.tagWarnings();
  const variablesFrom = variableSources(raw, dotenv.described, options.envFiles !== undefined && options.envFiles.length > 0, source);
  const issues = rules.flatMap((rule) => rule({ config, raw, source, warnings, variablesFrom }));
  const missing = options.commandsRunHere === false ? new Map<string, ConfigIssue>() : missingPrograms(config, source);
  for (const [name, issue] of missing) {
    if (!alwaysStarts(config.services.get(name) as ServiceConfig)) continue;
    issues.push(issue);
    missing.delete(name);
  }
  if (issues.length) throw new ConfigError(issues);
  return { config, warnings, missingPrograms: missing };
}

/** What `${VAR}` read, for the unset-variable warning: `the environment and .env`, `the environment; no .env beside portmate.yaml`. */
function variableSources(raw: RawConfig, dotenv: string, given: boolean, source: MergedSource): string {
  const read = ["the environment", ...(raw.env_file === undefined ? [] : [raw.env_file].flat()), ...(dotenv ? [given ? `--env-file ${dotenv}` : dotenv] : [])];
  const list = read.length > 1 ? `${read.slice(0, -1).join(", ")} and ${read.at(-1)}` : "the environment";
  return dotenv ? list : `${list}; no .env beside ${basename(source.file)}`;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
