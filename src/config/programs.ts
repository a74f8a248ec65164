import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { ConfigError, type ConfigIssue } from "../errors.js";
import type { ConfigLocator, ConfigPath } from "./source.js";
import type { PortmateConfig, ServiceConfig } from "./types.js";

/**
 * The service whose program is not found here, each with the problem as the config tells it. Checked at load,
 * so that a typo fails before anything starts rather than halfway through.
 */
export function missingPrograms(config: PortmateConfig, source: ConfigLocator): Map<string, ConfigIssue> {
  const missing = new Map<string, ConfigIssue>();
  for (const service of config.services.values()) {
    if (service.command.shell) continue;
    const program = service.command.argv[0];
    if (program === undefined || program.includes("$")) continue;
    if (findProgram(program, service.cwd, service.env.PATH ?? process.env.PATH ?? "")) continue;
    const path: ConfigPath = ["services", service.name, "command"];
    missing.set(
      service.name,
      program.includes("/")
        ? source.issue(path, `"${program}" does not exist or is not executable (looked in ${service.cwd})`)
        : source.issue(path, `"${program}" is not a command found on PATH or in node_modules/.bin`, { hint: "install it, or give its path" }),
    );
  }
  return missing;
}

/**
 * Whether every `up` starts the service, so that its missing program stops the config from loading. A disabled
 * one (there for another machine, or until its program is installed: `portmate init` writes such services
 * disabled) and one with profiles start only when asked; theirs is an error only then (see checkPrograms).
 */
export function alwaysStarts(service: ServiceConfig): boolean {
  return !service.disabled && service.profiles.length === 0;
}

/** Throws the config's problem for each service in `names` whose program is not found here (see missingPrograms). */
export function checkPrograms(missing: ReadonlyMap<string, ConfigIssue> | undefined, names: Iterable<string>): void {
  const issues = [...new Set(names)].flatMap((name) => missing?.get(name) ?? []);
  if (issues.length) throw new ConfigError(issues);
}

/** Whether `program` can be run from `cwd`: a path, or a name on PATH or in a node_modules/.bin above cwd. */
export function findProgram(program: string, cwd: string, pathVariable: string): boolean {
  if (program.includes("/")) return isExecutable(isAbsolute(program) ? program : resolve(cwd, program));
  const folders = pathVariable.split(delimiter).filter(Boolean);
  for (let dir = cwd; ; dir = dirname(dir)) {
    folders.push(join(dir, "node_modules", ".bin"));
    if (dirname(dir) === dir) break;
  }
  return folders.some((folder) => isExecutable(join(folder, program)));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
