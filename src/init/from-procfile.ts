import { type Draft, type DraftService, serviceName } from "./draft.js";
import { servesPage, withPort } from "./port-flags.js";

/** Process names that serve HTTP on Heroku and in foreman's, honcho's and overmind's examples. */
const WEB_NAMES = /^(web|api|app|server|frontend|front|ui|client|www|site)$/i;
/** What a shell would do that an argument list cannot: such a command runs with `shell: true`. */
const SHELL_SYNTAX = /&&|\|\||[|;<>`]|\$\(|^\s*(cd|export|source|\.)\s/;

/**
 * A Procfile (foreman, honcho, overmind, Heroku): one `name: command` line per process. `$PORT` becomes
 * `${port}`; a process that takes no port (worker, clock) gets `port: none`, as nothing would answer a check.
 * Heroku's `release` process runs before a deploy, not beside the others: it is written disabled.
 */
export function fromProcfile(text: string, source: string, cwd: string | undefined): Draft {
  const services: DraftService[] = [];
  const taken = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9_-]+):\s*(.+?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith("#")) continue;
    const [, process, raw] = match as unknown as [string, string, string];
    const name = serviceName(process, taken);
    taken.add(name);
    services.push(procfileService(name, process, raw, source, cwd));
  }
  return { source, services, notes: [] };
}

function procfileService(name: string, process: string, raw: string, source: string, cwd: string | undefined): DraftService {
  const ported = withPort(raw);
  const web = ported.listens || WEB_NAMES.test(process);
  const service: DraftService = { name, notes: [`${source}: ${process}: ${raw}`], command: ported.command, guesses: {} };
  if (SHELL_SYNTAX.test(ported.command)) service.shell = true;
  if (cwd) service.cwd = cwd;
  if (ported.guess) service.guesses.command = ported.guess;
  if (ported.preferred !== undefined) service.port = ported.preferred;
  else if (!web || process === "release") {
    service.port = "none";
    service.guesses.port = "takes no port, as it was not given $PORT";
  }
  if (ported.env) service.env = ported.env;
  if (web && (process.toLowerCase() === "web" || servesPage(ported.server))) {
    service.health = { http: "/" };
    service.guesses.health = "ready when / answers 2xx or 3xx; point it at a page that does";
  }
  if (process === "release") {
    service.disabled = true;
    service.guesses.disabled = "Heroku's release phase, run once before a deploy: `portmate up release` runs it";
  }
  return service;
}
