import { ExitCode } from "../errors.js";
import { shellQuote } from "../shell-quote.js";
import { envPrefix } from "../plan.js";
import type { StackRecord } from "../state/registry.js";
import { currentProject, type ProjectOptions } from "./project.js";
import { recordedService, runningRecord } from "./running-stack.js";
import { warn, type CliIO } from "./terminal.js";

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvCommandOptions extends ProjectOptions {
  service?: string;
  instance: number;
}

/**
 * `portmate env [SERVICE]`: `export NAME=value` lines for `eval "$(portmate env)"`. Without a service, where
 * every service of the running instance is (`BACKEND_PORT`, `BACKEND_URL`, …, as each service gets them);
 * with one, every variable portmate gives that service.
 */
export function envCommand(options: EnvCommandOptions, io: CliIO): number {
  const record = runningRecord(currentProject(options), options.instance);
  const env = options.service === undefined ? discoveryEnv(record) : serviceEnv(record, options.service);
  for (const [name, value] of Object.entries(env)) {
    // `2FA_PORT` (a service named `2fa`) is a fine variable for a process, but no shell accepts it: one bad
    // line would stop the whole `eval`.
    if (SHELL_NAME.test(name)) io.stdout.write(`export ${name}=${shellQuote(value)}\n`);
    else warn(io, `${name} is not a name a shell accepts, so it is left out (a service name that starts with a letter avoids this)`);
  }
  return ExitCode.ok;
}

/** PORTMATE_PROJECT, PORTMATE_INSTANCE, and `<SVC>_PORT` / `<SVC>_URL` of every service with a port. */
function discoveryEnv(record: StackRecord): Record<string, string> {
  const env: Record<string, string> = { PORTMATE_PROJECT: record.project, PORTMATE_INSTANCE: String(record.instance) };
  for (const service of record.services) {
    if (service.port === null) continue;
    env[`${envPrefix(service.name)}_PORT`] = String(service.port);
    if (service.url) env[`${envPrefix(service.name)}_URL`] = service.url;
  }
  return env;
}

function serviceEnv(record: StackRecord, name: string): Record<string, string> {
  const service = recordedService(record, name);
  // A record written before services' variables were recorded: what every service gets, and its PORT.
  return service.env ?? { ...discoveryEnv(record), ...(service.port === null ? {} : { PORT: String(service.port) }) };
}
