import { resolve } from "node:path";
import { formatDuration } from "../util/duration.js";
import { isFolder } from "../util/is-folder.js";
import { readEnvFiles } from "./env-file.js";
import { normalizeLiveness } from "./normalize-liveness.js";
import { normalizeTunnel } from "./normalize-tunnel.js";
import { duration, normalizeCommand, normalizeSignal, type NormalizeContext } from "./normalize-values.js";
import { normalizeWatch } from "./normalize-watch.js";
import type { ConfigPath } from "./source.js";
import {
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_PORT_NAME,
  DEFAULT_RANGE,
  DEFAULT_RESTART,
  DEFAULT_STOP_TIMEOUT_MS,
  type BuildConfig,
  type CommandConfig,
  type HealthCheckConfig,
  type HealthConfig,
  type PortRequestConfig,
  type RawConfig,
  type RawHealth,
  type RawService,
  type RawRestartPolicy,
  type RestartConfig,
  type RestartPolicy,
  type TemplateText,
  type ServiceConfig,
} from "./types.js";

/** Ports allocation range: `8000-9000` → {from, to}, checked for order and bounds. */
export function normalizeRange(raw: RawConfig, ctx: NormalizeContext): { from: number; to: number } {
  const text = raw.ports?.range;
  if (text === undefined) return { ...DEFAULT_RANGE };
  const [from, to] = text.split("-").map((part) => Number(part.trim())) as [number, number];
  const path = ["ports", "range"];
  if (from < 1 || to > 65535 || from > 65535 || to < 1) {
    ctx.issues.push(ctx.source.issue(path, `port range "${text}" is out of bounds: ports go from 1 to 65535`));
  } else if (from > to) {
    ctx.issues.push(ctx.source.issue(path, `port range "${text}" is inverted`, { hint: `write it low to high: ${to}-${from}` }));
  }
  return { from, to };
}

/** Turns one raw service into its normalized form, adding an issue for every problem found. */
export function normalizeService(name: string, raw: RawService, ctx: NormalizeContext): ServiceConfig {
  const at = (...rest: ConfigPath) => ["services", name, ...rest];
  const ports = normalizePorts(raw, ctx, at());
  return {
    name,
    command: normalizeServiceCommand(raw, ctx, at),
    cwd: normalizeCwd(raw, ctx, at("cwd")),
    env: Object.fromEntries(Object.entries(raw.env ?? {}).map(([key, value]) => [key, String(value)])),
    envFromFiles: readEnvFiles(raw.env_file, ctx, at("env_file")),
    envFiles: (raw.env_file === undefined ? [] : [raw.env_file].flat()).map((file) => resolve(ctx.dir, file)),
    ports,
    dependsOn: Array.isArray(raw.depends_on)
      ? raw.depends_on.map((service) => ({ service, condition: "healthy" as const, restart: false }))
      : Object.entries(raw.depends_on ?? {}).map(([service, value]) =>
          typeof value === "string"
            ? { service, condition: value, restart: false }
            : { service, condition: value.condition ?? "healthy", restart: value.restart === true },
        ),
    health: normalizeHealth(raw.health, ports, raw.shell === true, ctx, at("health")),
    restart: normalizeRestart(raw.restart, ctx, at("restart")),
    stopSignal: normalizeSignal(raw.stop_signal, ctx, at("stop_signal")),
    stopTimeoutMs: duration(raw.stop_timeout, DEFAULT_STOP_TIMEOUT_MS, ctx, at("stop_timeout")),
    disabled: raw.disabled === true,
    profiles: [...new Set(raw.profiles ?? [])],
    strict: raw.strict === true,
    announce: raw.announce === true,
    ...(raw.url === undefined ? {} : { url: normalizeUrl(raw.url, ctx, at("url")) }),
    tunnel: normalizeTunnel(raw.tunnel, ports, ctx, at("tunnel")),
    ...(raw.watch === undefined ? {} : { watch: normalizeWatch(raw.watch, raw.shell === true, ctx, at("watch")) }),
    image: raw.image,
    build: normalizeBuild(raw.build, ctx),
    named: raw.proxy !== false,
  };
}

/** `url:`: a scheme alone (`redis`) stands for `redis://${host}:${port}`. It cannot refer to a URL itself. */
function normalizeUrl(raw: string, ctx: NormalizeContext, at: ConfigPath): TemplateText {
  if (/\$\{(?:url|services\.[^}]*\.url)\}/.test(raw)) {
    ctx.issues.push(ctx.source.issue(at, "cannot refer to a URL (`${url}`, `${services.NAME.url}`): write it from `${host}`, `${port}` and the rest"));
  }
  return /^[A-Za-z][A-Za-z0-9+.-]*$/.test(raw) ? `${raw}://\${host}:\${port}` : raw;
}

function normalizeBuild(raw: RawService["build"], ctx: NormalizeContext): BuildConfig | undefined {
  if (raw === undefined) return undefined;
  const options = typeof raw === "string" ? { context: raw } : raw;
  const build: BuildConfig = {
    context: resolve(ctx.dir, options.context),
    args: Object.fromEntries(Object.entries(options.args ?? {}).map(([key, value]) => [key, String(value)])),
  };
  if (options.dockerfile !== undefined) build.dockerfile = options.dockerfile;
  return build;
}

function normalizePorts(raw: RawService, ctx: NormalizeContext, at: ConfigPath): PortRequestConfig[] {
  if (raw.port !== undefined && raw.ports !== undefined) {
    ctx.issues.push(
      ctx.source.issue([...at, "ports"], "use either `port` or `ports`, not both", { at: "key", hint: "with `ports`, the first one is the primary port" }),
    );
  }
  if (raw.announce === true) {
    const given = raw.ports !== undefined ? "ports" : raw.port !== undefined && raw.port !== "auto" ? "port" : undefined;
    if (given) {
      ctx.issues.push(
        ctx.source.issue(
          [...at, given],
          `a service with \`announce: true\` chooses its own port, so it cannot have \`${given}: ${given === "ports" ? "…" : String(raw.port)}\``,
          {
            at: "key",
            hint: "remove `announce`, or remove this key and let the service print its port",
          },
        ),
      );
    }
    return [{ name: DEFAULT_PORT_NAME }];
  }
  if (raw.ports) {
    return Object.entries(raw.ports).map(([name, value]) => (value === "auto" ? { name } : { name, preferred: value }));
  }
  if (raw.port === "none") return [];
  if (typeof raw.port === "number") return [{ name: DEFAULT_PORT_NAME, preferred: raw.port }];
  return [{ name: DEFAULT_PORT_NAME }];
}

function normalizeServiceCommand(raw: RawService, ctx: NormalizeContext, at: (...rest: ConfigPath) => ConfigPath): CommandConfig {
  const command = normalizeCommand(raw.command, raw.shell === true, ctx, at("command"));
  if (raw.args?.length) {
    if (command.shell) {
      ctx.issues.push(
        ctx.source.issue(at("args"), "`args` cannot be used with `shell: true`", { at: "key", hint: "write the arguments into the command string" }),
      );
    } else {
      command.argv.push(...raw.args.map(String));
    }
  }
  return command;
}

function normalizeCwd(raw: RawService, ctx: NormalizeContext, at: ConfigPath): string {
  const cwd = resolve(ctx.dir, raw.cwd ?? ".");
  if (raw.cwd !== undefined) {
    if (!isFolder(cwd)) ctx.issues.push(ctx.source.issue(at, `folder "${raw.cwd}" does not exist (resolved to ${cwd})`));
  }
  return cwd;
}

const CHECK_KINDS = ["http", "tcp", "command", "log"] as const;

function normalizeHealth(raw: RawHealth | undefined, ports: PortRequestConfig[], shell: boolean, ctx: NormalizeContext, at: ConfigPath): HealthConfig {
  const intervalMs = duration(raw?.interval, DEFAULT_HEALTH_INTERVAL_MS, ctx, [...at, "interval"], {
    min: 1,
    hint: `checks without a pause would keep the CPU busy; the default is ${formatDuration(DEFAULT_HEALTH_INTERVAL_MS)}`,
  });
  const timeoutMs = duration(raw?.timeout, DEFAULT_HEALTH_TIMEOUT_MS, ctx, [...at, "timeout"]);
  const check = normalizeCheck(raw, ports, shell, ctx, at);
  const liveness = normalizeLiveness(raw?.liveness, check, ctx, [...at, "liveness"]);
  return { check, intervalMs, timeoutMs, ...(liveness ? { liveness } : {}) };
}

/** The one check of `health:`; with none given, a service with a port is ready when the port accepts connections. */
function normalizeCheck(raw: RawHealth | undefined, ports: PortRequestConfig[], shell: boolean, ctx: NormalizeContext, at: ConfigPath): HealthCheckConfig {
  const given = CHECK_KINDS.filter((kind) => raw?.[kind] !== undefined);
  if (given.length > 1) {
    ctx.issues.push(ctx.source.issue(at, `has ${given.map((kind) => `\`${kind}\``).join(" and ")}: give exactly one check`));
  }
  const primary = ports[0]?.name;
  const needPort = (kind: string, named: string | undefined): string => {
    if (named !== undefined && !ports.some((port) => port.name === named)) {
      const names = ports.map((port) => port.name).join(", ") || "none";
      ctx.issues.push(ctx.source.issue([...at, kind], `the service has no port named "${named}" (its ports: ${names})`));
    } else if (named === undefined && primary === undefined) {
      ctx.issues.push(ctx.source.issue([...at, kind], `a \`${kind}\` check needs a port, but the service has \`port: none\``));
    }
    return named ?? primary ?? DEFAULT_PORT_NAME;
  };

  const http = raw?.http;
  if (http !== undefined) {
    const options = typeof http === "string" ? { path: http } : http;
    return { kind: "http", path: options.path ?? "/", status: options.status, host: options.host, port: needPort("http", options.port) };
  }
  if (raw?.tcp !== undefined) return { kind: "tcp", port: needPort("tcp", typeof raw.tcp === "string" ? raw.tcp : undefined) };
  if (raw?.command !== undefined) return { kind: "command", command: normalizeCommand(raw.command, shell, ctx, [...at, "command"]) };
  if (raw?.log !== undefined) {
    try {
      return { kind: "log", pattern: new RegExp(raw.log) };
    } catch (error) {
      ctx.issues.push(ctx.source.issue([...at, "log"], `is not a valid regular expression: ${(error as Error).message}`));
    }
  }
  return primary === undefined ? { kind: "none" } : { kind: "tcp", port: primary };
}

function restartPolicy(raw: RawRestartPolicy): RestartPolicy {
  return raw === "unless-stopped" ? "always" : raw;
}

function normalizeRestart(raw: RawService["restart"], ctx: NormalizeContext, at: ConfigPath): RestartConfig {
  if (raw === undefined) return { ...DEFAULT_RESTART };
  if (typeof raw === "string") return { ...DEFAULT_RESTART, policy: restartPolicy(raw) };
  return {
    policy: restartPolicy(raw.policy),
    maxRestarts: raw.max_restarts ?? DEFAULT_RESTART.maxRestarts,
    delayMs: duration(raw.delay, DEFAULT_RESTART.delayMs, ctx, [...at, "delay"]),
    maxDelayMs: duration(raw.max_delay, DEFAULT_RESTART.maxDelayMs, ctx, [...at, "max_delay"]),
  };
}
