import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ConfigError, UsageError } from "../errors.js";
import { parseConfig } from "../config/load.js";
import { findProgram } from "../config/programs.js";
import { ConfigSource } from "../config/source.js";
import { type Draft, type Guess, guessesOf } from "./draft.js";
import { findSources, type FoundSource, sourceKind } from "./find-sources.js";
import { fromCompose } from "./from-compose.js";
import { fromPackageJson } from "./from-package-json.js";
import { fromProcfile } from "./from-procfile.js";
import { renderConfig } from "./write-config.js";

export interface InitOptions {
  /** Where to look for sources and write portmate.yaml (default: `process.cwd()`). */
  cwd?: string;
  /** The file to write, relative to `cwd` (default `portmate.yaml`). */
  file?: string;
  /** The source to read instead of the first one found. */
  from?: string;
  /** Overwrite an existing file. */
  force?: boolean;
  /** false: only return the text (`init --stdout`). Default true. */
  write?: boolean;
}

export interface InitResult {
  /** Absolute path of the config file (written, or that would be). */
  file: string;
  text: string;
  /** The source read (relative to the file's folder); undefined when none was found and the example was written. */
  source: string | undefined;
  /** The other sources found, which `--from` can pick. */
  others: string[];
  guesses: Guess[];
  /** Programs of the commands not found on this machine. */
  missing: string[];
  written: boolean;
}

/**
 * `portmate init`: a commented portmate.yaml from the project's Procfile, compose file or package.json (or a
 * minimal example), checked by the same stages as `portmate up` before it is written. Refuses to overwrite a
 * file unless `force`.
 */
export function initConfig(options: InitOptions = {}): InitResult {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = resolve(cwd, options.file ?? "portmate.yaml");
  const base = dirname(file);
  const write = options.write !== false;
  if (write && existsSync(file) && !options.force) {
    throw new UsageError(`${relative(cwd, file) || file} exists already`, "`portmate init --force` overwrites it; `--stdout` prints the new one instead");
  }
  const found = options.from === undefined ? findSources(cwd) : [chosenSource(resolve(cwd, options.from))];
  // The first source with services: a package.json of tools only (no dev or start script) gives way to the next.
  let chosen: { source: FoundSource; draft: Draft } | undefined;
  for (const source of found) {
    const read = readSource(source, base);
    if (read.services.length) {
      chosen = { source, draft: read };
      break;
    }
  }
  if (!chosen && options.from !== undefined) throw new UsageError(`${options.from}: no services found in it`, "`portmate init --from FILE` reads another file");
  const draft = chosen?.draft ?? exampleDraft();
  const rest = found.filter((source) => source !== chosen?.source);
  const missing = missingPrograms(file, renderConfig(draft), draft);
  // `up` checks every program before it starts anything: a service it cannot run here waits, disabled.
  for (const service of draft.services) {
    const program = [service.program, programOf(service.command)].find((candidate) => candidate !== undefined && missing.includes(candidate));
    if (!program || service.disabled || service.shell) continue;
    service.disabled = true;
    service.guesses.disabled = `${program} is not found on this machine: install it, then remove \`disabled\``;
  }
  const notes = missing.length ? [`Not found on this machine, so their services are disabled: ${missing.join(", ")}.`] : [];
  const text = renderConfig(draft, notes);
  validate(file, text, false);
  if (write) writeFileSync(file, text);
  return {
    file,
    text,
    source: chosen?.draft.source,
    others: rest.map((source) => relative(base, source.file)),
    guesses: guessesOf(draft.services),
    missing,
    written: write,
  };
}

function chosenSource(file: string): FoundSource {
  if (!existsSync(file)) throw new UsageError(`--from ${file}: no such file`);
  const kind = sourceKind(file);
  if (!kind)
    throw new UsageError(`--from ${file}: not a file init reads`, "init reads a Procfile, a compose file (compose.yaml, docker-compose.yml) or a package.json");
  return { kind, file };
}

/** The draft of a source; a file that cannot be read or parsed is the user's to fix, named with its problem. */
function readSource(source: FoundSource, base: string): Draft {
  try {
    return draftOf(source, base);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read ${relative(base, source.file) || source.file}: ${(error as Error).message.split("\n")[0]}`,
      "fix it, or pick another file with --from",
    );
  }
}

function draftOf(source: FoundSource, base: string): Draft {
  const dir = dirname(source.file);
  switch (source.kind) {
    case "procfile":
      return fromProcfile(readFileSync(source.file, "utf8"), relative(base, source.file), relative(base, dir) || undefined);
    case "compose":
      return fromCompose(source.file, base);
    case "package":
      return fromPackageJson(dir, base);
  }
}

/** What is written when no source is found: one service that runs here (Python's file server), to be replaced. */
function exampleDraft(): Draft {
  return {
    source: "no Procfile, compose file or package.json (an example)",
    notes: ["Replace the example with your services: each one's command, and ${port} where it takes its port."],
    services: [
      {
        name: "web",
        notes: [],
        command: "python3 -m http.server ${port} --bind ${host}",
        health: { http: "/" },
        guesses: { command: "an example: serves this folder; put the command that starts your server here" },
      },
    ],
  };
}

/** The config's structure, checked as `up` checks it; a failure is init's own bug. */
function validate(file: string, text: string, commandsRunHere: boolean): void {
  try {
    parseConfig(new ConfigSource(file, file, text), { commandsRunHere, env: checkEnv(text) });
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`portmate init wrote a config that does not validate: ${error.message}`);
    throw error;
  }
}

/** The programs of the draft's commands, and of the scripts they run, that are not found here. */
function missingPrograms(file: string, text: string, draft: Draft): string[] {
  validate(file, text, false);
  return [...new Set([...commandPrograms(file, text, draft), ...scriptPrograms(dirname(file), draft)])];
}

/** The programs of the commands that are not found here: the problems of the check `up` makes. */
function commandPrograms(file: string, text: string, draft: Draft): string[] {
  try {
    parseConfig(new ConfigSource(file, file, text), { commandsRunHere: true, env: checkEnv(text) });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const services = new Set(error.issues.filter((issue) => issue.path.endsWith(".command")).map((issue) => issue.path.split(".")[1]));
    return draft.services.filter((service) => services.has(service.name)).map((service) => programOf(service.command));
  }
}

function programOf(command: string): string {
  return command.split(/\s+/)[0] as string;
}

/** The programs scripts run that are found neither on PATH nor in a node_modules/.bin above the script's folder. */
function scriptPrograms(folder: string, draft: Draft): string[] {
  return draft.services
    .filter((service) => service.program !== undefined && !findProgram(service.program, resolve(folder, service.cwd ?? "."), process.env.PATH ?? ""))
    .map((service) => service.program as string);
}

/** portmate's own template names, which are not variables. */
const TEMPLATE_NAMES = new Set(["port", "host", "url", "instance", "project"]);

/**
 * The environment init checks its file with: this one, and every variable the file names set, so that a
 * `${DB_PASSWORD:?}` carried over from a compose file checks the file's structure, not this shell.
 */
function checkEnv(text: string): Record<string, string | undefined> {
  const named = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] as string).filter((name) => !TEMPLATE_NAMES.has(name));
  return { ...Object.fromEntries(named.map((name) => [name, "set"])), ...process.env };
}
