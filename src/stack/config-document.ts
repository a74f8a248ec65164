import type { CommandConfig, ServiceConfig, TunnelConfig } from "../config/types.js";
import { DEFAULT_PORT_NAME, DEFAULT_RESTART } from "../config/types.js";
import { portVariable, urlVariable } from "../plan/discovery-env.js";
import { parseServiceId } from "../plan/names.js";
import { ownEnv } from "../plan/render.js";
import type { PlannedCommand, PlannedService } from "../plan/types.js";
import type { PlannedConfig } from "./resolve-config.js";

/** A portmate.yaml, as plain data. */
export type ConfigDocument = Record<string, unknown>;

/**
 * `portmate config`: the config as a portmate.yaml with every template filled in, which portmate reads back as
 * it is (`portmate config > resolved.yaml && portmate -f resolved.yaml up`): the ports chosen become preferred
 * ports, the commands, env and URLs hold them, and paths are absolute, so it runs from any folder.
 */
export function configDocument(planned: PlannedConfig): ConfigDocument {
  const { config } = planned;
  const services: Record<string, ConfigDocument> = {};
  for (const service of planned.services) {
    const own = config.services.get(service.name);
    if (own) services[service.name] = serviceDocument(service, own, Boolean(config.proxy), config.env);
  }
  return {
    name: config.project,
    ports: { range: `${config.range.from}-${config.range.to}` },
    ...(config.envFiles.length ? { env_file: config.envFiles } : {}),
    ...(config.proxy ? { proxy: config.proxy.https ? { https: true } : true } : {}),
    services,
  };
}

function serviceDocument(service: PlannedService, own: ServiceConfig, proxy: boolean, base: Readonly<Record<string, string>>): ConfigDocument {
  const document: ConfigDocument = { command: commandOf(service.command), ...(service.command.shell ? { shell: true } : {}), cwd: service.cwd };
  const ports = Object.entries(service.ports);
  if (service.announce) document.announce = true;
  else if (ports.length === 0) document.port = "none";
  else if (ports.length === 1 && ports[0]?.[0] === DEFAULT_PORT_NAME) document.port = ports[0][1];
  else document.ports = Object.fromEntries(ports);
  if (own.url !== undefined && service.url !== undefined) document.url = literal(service.url);
  const env = writtenEnv(service, own, base);
  if (Object.keys(env).length) document.env = env;
  if (own.envFiles.length) document.env_file = own.envFiles;
  if (service.dependsOn.length) {
    document.depends_on = Object.fromEntries(
      service.dependsOn.map((dependency) => [
        parseServiceId(dependency.id).name,
        dependency.restart ? { condition: dependency.condition, restart: true } : dependency.condition,
      ]),
    );
  }
  const health = healthDocument(service, own);
  if (health) document.health = health;
  const { restart } = service;
  const plainRestart =
    restart.maxRestarts === DEFAULT_RESTART.maxRestarts && restart.delayMs === DEFAULT_RESTART.delayMs && restart.maxDelayMs === DEFAULT_RESTART.maxDelayMs;
  document.restart = plainRestart
    ? restart.policy
    : { policy: restart.policy, max_restarts: restart.maxRestarts, delay: durationText(restart.delayMs), max_delay: durationText(restart.maxDelayMs) };
  document.stop_signal = service.stopSignal;
  document.stop_timeout = durationText(service.stopTimeoutMs);
  if (own.strict) document.strict = true;
  if (proxy && !own.named) document.proxy = false;
  if (own.image) document.image = own.image;
  if (own.build) {
    const { context, dockerfile, args } = own.build;
    document.build =
      dockerfile || Object.keys(args).length ? { context, ...(dockerfile ? { dockerfile } : {}), ...(Object.keys(args).length ? { args } : {}) } : context;
  }
  if (service.watch) {
    const { paths, ignore, debounceMs, rebuild, signal } = service.watch;
    document.watch = {
      // As written: relative to the config's folder, whose `.gitignore` applies too.
      paths,
      ...(ignore.length ? { ignore } : {}),
      debounce: durationText(debounceMs),
      ...(rebuild ? { rebuild: commandOf(rebuild) } : {}),
      ...(signal ? { signal } : {}),
    };
  }
  if (own.tunnel) document.tunnel = tunnelDocument(own.tunnel, service);
  return document;
}

function healthDocument(service: PlannedService, own: ServiceConfig): ConfigDocument | undefined {
  const { health } = service;
  const check = own.health.check;
  const timing = {
    interval: durationText(health.intervalMs),
    timeout: durationText(health.timeoutMs),
    ...(health.liveness
      ? {
          liveness: {
            interval: durationText(health.liveness.intervalMs),
            timeout: durationText(health.liveness.timeoutMs),
            failures: health.liveness.failures,
          },
        }
      : {}),
  };
  const named = (port: string) => (port === DEFAULT_PORT_NAME ? {} : { port });
  switch (health.kind) {
    case "http": {
      const http = check.kind === "http" ? check : undefined;
      const extra = {
        ...(health.status === undefined ? {} : { status: health.status }),
        ...(http?.host ? { host: http.host } : {}),
        ...named(http?.port ?? DEFAULT_PORT_NAME),
      };
      const path = literal(health.path);
      return { http: Object.keys(extra).length ? { path, ...extra } : path, ...timing };
    }
    case "tcp":
      return { tcp: check.kind === "tcp" && check.port !== DEFAULT_PORT_NAME ? check.port : true, ...timing };
    case "command":
      return { command: commandOf(health.command), ...timing };
    case "log":
      return { log: health.pattern.source, ...timing };
    case "none":
      return undefined;
  }
}

function tunnelDocument(tunnel: TunnelConfig, service: PlannedService): ConfigDocument {
  const common = {
    ...(tunnel.target === DEFAULT_PORT_NAME ? {} : { target: tunnel.target }),
    ...(tunnel.required ? { required: true } : {}),
    ...(tunnel.enabled ? {} : { enabled: false }),
    ...(tunnel.verify === null ? { verify: false } : tunnel.verify === undefined ? {} : { verify: tunnel.verify }),
    timeout: durationText(tunnel.timeoutMs),
  };
  switch (tunnel.provider) {
    case "ssh":
      return {
        provider: "ssh",
        host: tunnel.host,
        ...(tunnel.user ? { user: tunnel.user } : {}),
        ...(tunnel.sshPort ? { port: tunnel.sshPort } : {}),
        remote_port: tunnel.remotePort,
        ...(tunnel.url ? { url: tunnel.url } : {}),
        ...(tunnel.identity ? { identity: tunnel.identity } : {}),
        ...(tunnel.args.length ? { args: tunnel.args } : {}),
        ...common,
      };
    case "ngrok":
      return { provider: "ngrok", ...(tunnel.domain ? { domain: tunnel.domain } : {}), ...common };
    case "command":
      return { command: service.tunnel ? commandOf(service.tunnel.command) : configCommand(tunnel.command), url_pattern: tunnel.urlPattern.source, ...common };
  }
}

/**
 * The variables portmate gave the service, as `env:`, but those it gives again when it reads this file: its own
 * (PORT, PORTMATE_*), `<SVC>_PORT`/`_URL` of itself and of what it depends on, and what its env files hold. The
 * discovery variables of a service it only referred to are written: its templates are filled in now, so they
 * refer to nothing any more.
 */
function writtenEnv(service: PlannedService, own: ServiceConfig, base: Readonly<Record<string, string>>): Record<string, string> {
  const again = new Set(["PORT", "PORTMATE_PROJECT", "PORTMATE_INSTANCE"]);
  for (const name of [service.name, ...own.dependsOn.map((dependency) => dependency.service)]) {
    again.add(portVariable(name));
    again.add(urlVariable(name));
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(ownEnv(service, base))) {
    if (name in own.env || (!again.has(name) && own.envFromFiles[name] !== value)) env[name] = literal(value);
  }
  return env;
}

/** A filled-in command, its `$` written `$$` so that reading it back takes them as they are. */
function commandOf(command: PlannedCommand): string[] | string {
  return command.shell ? literal(command.script) : [command.file, ...command.args].map(literal);
}

/** Text with every `$` written `$$`: no template, no variable, when portmate reads it back. */
function literal(text: string): string {
  return text.split("$").join("$$");
}

/** A command not filled in (a tunnel that is off): as written, templates and all. */
function configCommand(command: CommandConfig): string[] | string {
  return command.shell ? command.script : command.argv;
}

/** A duration as portmate.yaml writes it, exactly: `250ms`, `5s`. */
function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
