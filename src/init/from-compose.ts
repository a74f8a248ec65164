import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parse } from "yaml";
import { type Draft, type DraftService, serviceName } from "./draft.js";
import { knownServer, type PortedCommand, servesPage, withPort } from "./port-flags.js";
import { dockerfileCommand } from "./dockerfile-command.js";

type Scalar = string | number | boolean | null;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  working_dir?: string;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  expose?: Array<string | number>;
  environment?: string[] | Record<string, Scalar>;
  env_file?: string | Array<string | { path: string }>;
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
}

/** Databases and caches run from an image: the command that runs each here, on portmate's port. */
const LOCAL_COMMANDS: ReadonlyArray<[RegExp, string, string]> = [
  [/(^|\/)redis(:|$)/, "redis-server --port ${port}", "redis"],
  [/(^|\/)valkey(:|$)/, "valkey-server --port ${port}", "valkey"],
  [/(^|\/)(postgres|postgis\/postgis)(:|$)/, "postgres -D pgdata -p ${port} -k .", "postgres (after `initdb -D pgdata`)"],
  [/(^|\/)(mysql|mariadb)(:|$)/, "mysqld --datadir=mysql-data --port=${port}", "mysql (after `mysqld --initialize-insecure --datadir=mysql-data`)"],
  [/(^|\/)mongo(:|$)/, "mongod --dbpath mongo-data --port ${port}", "mongodb"],
  [/(^|\/)memcached(:|$)/, "memcached -p ${port}", "memcached"],
];

const CONDITIONS: Record<string, "started" | "healthy" | "completed"> = {
  service_started: "started",
  service_healthy: "healthy",
  service_completed_successfully: "completed",
};

/**
 * A compose file: each service keeps its `image:`/`build:` (for `portmate export`), runs here with its
 * `command:` (else its Dockerfile's CMD, else the local program of a known database image), its container port
 * becomes `${port}` where the command names it, `environment:` becomes `env:` with `http://SERVICE:PORT`
 * rewired to `${services.SERVICE.url}`, and `depends_on` keeps its conditions. A service with no command known
 * is written disabled, to be filled in.
 */
export function fromCompose(file: string, base: string): Draft {
  const dir = dirname(file);
  const data = parse(readFileSync(file, "utf8")) as { services?: Record<string, ComposeService> } | null;
  const entries = Object.entries(data?.services ?? {});
  const names = new Map<string, string>();
  for (const [name] of entries) names.set(name, serviceName(name, new Set(names.values())));
  const containerPorts = new Map(entries.map(([name, service]) => [name, publishedPorts(service)[0]?.container]));
  const context: ComposeContext = { dir, base, names, containerPorts, source: relative(base, file) };
  return { source: context.source, services: entries.map(([name, service]) => composeService(name, service, context)), notes: [] };
}

interface ComposeContext {
  dir: string;
  base: string;
  source: string;
  /** Compose's service names → portmate's. */
  names: Map<string, string>;
  /** Each service's first container port. */
  containerPorts: Map<string, number | undefined>;
}

function composeService(composeName: string, compose: ComposeService, context: ComposeContext): DraftService {
  const name = context.names.get(composeName) as string;
  const service: DraftService = { name, notes: [`${context.source}: services.${composeName}`], command: "", guesses: {} };
  const ports = publishedPorts(compose);
  const container = ports[0]?.container;
  if (compose.image) service.image = compose.image;
  const build = buildOf(compose.build, context);
  if (build) service.build = build.written;

  const given = commandText(compose.entrypoint, compose.command) ?? (build ? dockerfileCommand(build.dockerfile) : undefined);
  const local = compose.image && !given ? LOCAL_COMMANDS.find(([pattern]) => pattern.test(compose.image as string)) : undefined;
  if (given) {
    const ported = withContainerPort(given, container);
    service.command = ported.command;
    if (ported.guess) service.guesses.command = ported.guess;
    if (ported.env) service.env = { ...ported.env };
    if (servesPage(ported.server)) {
      service.health = { http: "/" };
      service.guesses.health = "ready when / answers 2xx or 3xx";
    }
    if (!compose.command && !compose.entrypoint && build) service.notes.push(`command: the CMD of ${relative(context.base, build.dockerfile)}`);
  } else if (local) {
    service.command = local[1];
    service.guesses.command = `the local ${local[2]}; the image runs it in a container (portmate export)`;
  } else {
    service.command = `echo "${name}: give it the command that runs it here"`;
    service.disabled = true;
    service.guesses.disabled = "no command known for it here: write one, then remove `disabled`";
  }
  const cwd = workingFolder(compose, context) ?? (build ? relative(context.base, join(context.dir, build.context)) : undefined);
  if (cwd && cwd !== "." && !local && !service.disabled) service.cwd = cwd;
  if (ports[0]?.published !== undefined) service.port = ports[0].published;
  else if (!ports.length && !local) {
    service.port = "none";
    service.guesses.port = "it publishes no port";
  }

  const env = environmentOf(compose.environment, context);
  if (Object.keys(env.values).length) service.env = { ...env.values, ...service.env };
  for (const key of env.rewired) service.guesses[`env.${key}`] = "was a compose network address";
  const envFiles = [compose.env_file ?? []].flat().map((entry) => join(context.dir, typeof entry === "string" ? entry : entry.path));
  // portmate refuses an env file that is not there: one not made yet is named, to be added once it is.
  const present = envFiles.filter((file) => existsSync(file)).map((file) => relative(context.base, file));
  if (present.length) service.env_file = present;
  const absent = envFiles.filter((file) => !existsSync(file)).map((file) => relative(context.base, file));
  if (absent.length) service.notes.push(`env_file ${absent.join(", ")}: not there yet; add it as env_file once it is`);
  // portmate has compose's profiles, with compose's rules: kept as they are.
  if (compose.profiles?.length) service.profiles = compose.profiles;
  const depends = dependsOn(compose.depends_on, context);
  if (Object.keys(depends).length) service.depends_on = depends;
  const health = healthOf(compose.healthcheck?.test, container);
  if (health && !service.health) {
    service.health = health;
    service.guesses.health = `from the healthcheck: ${[compose.healthcheck?.test ?? ""].flat().join(" ")}`;
  }
  return service;
}

/**
 * The ports a service publishes: container port, and the host port when one is given; then those it only
 * exposes to the other services, which are its ports too.
 */
function publishedPorts(compose: ComposeService): Array<{ container: number; published?: number }> {
  const exposed = (compose.expose ?? [])
    .map((entry) => ({ container: Number(String(entry).replace(/\/(tcp|udp)$/, "")) }))
    .filter((port) => Number.isInteger(port.container));
  return [...published(compose), ...exposed];
}

function published(compose: ComposeService): Array<{ container: number; published?: number }> {
  return (compose.ports ?? []).flatMap((entry) => {
    if (typeof entry === "object") return entry.target ? [{ container: entry.target, ...optionalPort(entry.published) }] : [];
    // "8000", "8000:8000", "127.0.0.1:8000:8000", "8000:8000/tcp"
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, "")
      .split(":");
    const container = Number(parts.at(-1));
    if (!Number.isInteger(container)) return [];
    return [{ container, ...(parts.length > 1 ? optionalPort(parts.at(-2)) : {}) }];
  });
}

function optionalPort(value: number | string | undefined): { published?: number } {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? { published: number } : {};
}

function buildOf(build: ComposeService["build"], context: ComposeContext): { written: DraftService["build"]; context: string; dockerfile: string } | undefined {
  if (build === undefined) return undefined;
  const folder = typeof build === "string" ? build : (build.context ?? ".");
  const dockerfile = typeof build === "string" ? "Dockerfile" : (build.dockerfile ?? "Dockerfile");
  const relativeFolder = relative(context.base, join(context.dir, folder)) || ".";
  const written = typeof build === "object" && build.dockerfile ? { context: relativeFolder, dockerfile } : relativeFolder;
  return { written, context: folder, dockerfile: join(context.dir, folder, dockerfile) };
}

/** Compose's entrypoint and command as one line. */
function commandText(entrypoint: ComposeService["entrypoint"], command: ComposeService["command"]): string | undefined {
  const words = [entrypoint, command].filter((part) => part !== undefined).map((part) => (Array.isArray(part) ? part.map(quoteWord).join(" ") : String(part)));
  return words.length ? words.join(" ") : undefined;
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? word : JSON.stringify(word);
}

/**
 * The command with its container port wired: the port's number after a flag or a host becomes `${port}`
 * (withPort); a known server not given the port gets its flag.
 */
function withContainerPort(line: string, container: number | undefined): PortedCommand {
  const ported = withPort(line);
  if (ported.preferred !== undefined && container !== undefined && ported.preferred !== container) {
    // Another number than the container port: not the service's port, left as it was.
    const server = knownServer(line)?.name;
    return { command: line, listens: true, ...(server ? { server } : {}) } satisfies PortedCommand;
  }
  return ported;
}

/** The folder the command runs in: the host folder mounted at `working_dir`, when one is. */
function workingFolder(compose: ComposeService, context: ComposeContext): string | undefined {
  if (!compose.working_dir) return undefined;
  for (const volume of compose.volumes ?? []) {
    const [source, target] = typeof volume === "string" ? volume.split(":") : [volume.source, volume.target];
    if (target === compose.working_dir && source && /^\.{0,2}\//.test(source)) return relative(context.base, join(context.dir, source)) || ".";
  }
  return undefined;
}

/** `environment:` as `env:`; `http://SERVICE:PORT` and `SERVICE:PORT` of a service of the file become templates. */
function environmentOf(environment: ComposeService["environment"], context: ComposeContext): { values: Record<string, string>; rewired: string[] } {
  const pairs: Array<[string, string]> = Array.isArray(environment)
    ? environment.flatMap((line) => (line.includes("=") ? [[line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as [string, string]] : []))
    : Object.entries(environment ?? {}).map(([key, value]) => [key, value === null ? "" : String(value)]);
  const rewired: string[] = [];
  const values: Record<string, string> = {};
  for (const [key, value] of pairs) {
    const wired = value.replace(/(https?:\/\/)?([A-Za-z0-9_-]+):(\d+)/g, (whole, scheme: string | undefined, host: string, port: string) => {
      const target = context.names.get(host);
      if (!target || context.containerPorts.get(host) !== Number(port)) return whole;
      return scheme === "http://" ? `\${services.${target}.url}` : `\${host}:\${services.${target}.port}`;
    });
    if (wired !== value) rewired.push(key);
    values[key] = wired;
  }
  return { values, rewired };
}

function dependsOn(depends: ComposeService["depends_on"], context: ComposeContext): Record<string, "started" | "healthy" | "completed"> {
  const entries: Array<[string, string | undefined]> = Array.isArray(depends)
    ? depends.map((name) => [name, undefined])
    : Object.entries(depends ?? {}).map(([name, value]) => [name, value?.condition]);
  return Object.fromEntries(
    entries
      .filter(([name]) => context.names.has(name))
      .map(([name, condition]) => [context.names.get(name) as string, CONDITIONS[condition ?? ""] ?? "started"]),
  );
}

/** A compose healthcheck that curls or wgets a local URL becomes an HTTP check of its path; others are left to portmate's default. */
function healthOf(test: string | string[] | undefined, container: number | undefined): { http: string } | undefined {
  const line = [test ?? []].flat().join(" ");
  const url = /\b(?:curl|wget)\b.*?https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(\/\S*)?/.exec(line);
  if (!url || (url[1] !== undefined && container !== undefined && Number(url[1]) !== container)) return undefined;
  return { http: (url[2] ?? "/").replace(/["']$/, "") };
}
