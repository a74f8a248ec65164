import type { ConfigIssue } from "../errors.js";
import { findCycles } from "../util/graph.js";
import { isNamed } from "./named-service.js";
import { referencedService, referencesIn, renderTemplate, TemplateError, type TemplateService } from "./template.js";
import { didYouMeanSuffix } from "../util/did-you-mean.js";
import type { ConfigLocator, ConfigPath } from "./source.js";
import type { PortmateConfig, RawConfig, RawService } from "./types.js";

/** What every rule reads: the normalized config, the raw data it came from, and the source for positions. */
export interface RuleContext {
  config: PortmateConfig;
  raw: RawConfig;
  source: ConfigLocator;
  /** Problems that do not stop portmate (an unset `${VAR}`), reported as warnings. */
  warnings: ConfigIssue[];
  /** What `${VAR}` read, named in the warning about one that is unset (`the environment and .env`). */
  variablesFrom?: string;
}

export type Rule = (ctx: RuleContext) => ConfigIssue[];

/** The semantic checks run after the schema, in order; each returns every problem it finds. */
export const rules: Rule[] = [dependenciesExist, noDependencyCycles, templatesResolve, announcedPortsUsedInTime, preferredPortsDistinct];

/** `depends_on` names services of this file, and not the service itself. */
export function dependenciesExist({ config, raw, source }: RuleContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = [...config.services.keys()];
  for (const service of config.services.values()) {
    const rawDeps = raw.services[service.name]?.depends_on;
    for (const [index, dep] of service.dependsOn.entries()) {
      const path: ConfigPath = Array.isArray(rawDeps) ? ["services", service.name, "depends_on", index] : ["services", service.name, "depends_on", dep.service];
      const display = ["services", service.name, "depends_on"];
      if (dep.service === service.name) {
        issues.push({ ...source.issue(path, `a service cannot depend on itself`, { at: Array.isArray(rawDeps) ? "value" : "key" }), path: display.join(".") });
      } else if (!config.services.has(dep.service)) {
        const guess = didYouMeanSuffix(dep.service, names);
        issues.push({
          ...source.issue(path, `unknown service "${dep.service}"${guess}`, {
            at: Array.isArray(rawDeps) ? "value" : "key",
            hint: guess ? undefined : `services in this file: ${names.join(", ")}`,
          }),
          path: display.join("."),
        });
      }
    }
  }
  return issues;
}

/** No service waits, directly or not, for itself. */
export function noDependencyCycles({ config, source }: RuleContext): ConfigIssue[] {
  const graph = new Map([...config.services.values()].map((service) => [service.name, service.dependsOn.map((dep) => dep.service)]));
  return findCycles(graph).map((cycle) =>
    source.issue(["services", cycle[0] ?? "", "depends_on"], `dependency cycle: ${cycle.join(" → ")}`, {
      hint: "one of these services must not wait for the other; remove one `depends_on` entry",
    }),
  );
}

/** Every `${…}` refers to a service and port that exist, and every `${VAR:?…}` variable is set. */
export function templatesResolve({ config, raw, source, warnings, variablesFrom = "the environment" }: RuleContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const services = new Map<string, TemplateService>();
  for (const service of config.services.values()) {
    const entry: TemplateService = { ports: Object.fromEntries(service.ports.map((port, index) => [port.name, index + 1])) };
    if (service.url !== undefined) entry.urlTemplate = service.url;
    else if (service.health.check.kind !== "http" && !service.announce) entry.noUrl = true;
    if (config.proxy && isNamed(service)) entry.namedUrl = `http://${service.name}.${config.project}.localhost`;
    services.set(service.name, entry);
  }
  const names = [...services.keys()];
  for (const [name, rawService] of Object.entries(raw.services)) {
    for (const [path, text] of templateFields(name, rawService)) {
      try {
        renderTemplate(text, {
          project: config.project,
          instance: 1,
          host: "127.0.0.1",
          self: name,
          services,
          env: config.variables,
          onUnsetVariable: (variable) =>
            warnings.push(
              source.issue(path, `variable ${variable} is not set; using an empty string (read ${variablesFrom})`, {
                hint: `set it, or give a default: \${${variable}:-value}`,
              }),
            ),
        });
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        const unknown = /^unknown service "(.+)"$/.exec(error.message)?.[1];
        issues.push(source.issue(path, `${error.message}${unknown === undefined ? "" : didYouMeanSuffix(unknown, names)}`));
      }
    }
  }
  return issues;
}

/**
 * A service that announces its port learns it only by choosing it: its own command and env cannot refer to it
 * (its health check can: it runs after the announcement).
 */
export function announcedPortsUsedInTime({ config, raw, source }: RuleContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const service of config.services.values()) {
    const rawService = raw.services[service.name];
    if (!service.announce || !rawService) continue;
    for (const [path, text] of templateFields(service.name, rawService)) {
      if (path[2] === "health") continue;
      let refs;
      try {
        refs = referencesIn(text);
      } catch {
        continue; // reported by templatesResolve
      }
      const own = refs.find((ref) => ["port", "url", "ports"].includes(ref.kind) || referencedService(ref) === service.name);
      if (own) {
        issues.push(
          source.issue(path, "refers to the service's own port, which it announces: the port is not known before it starts", {
            hint: "let the service choose its port, or remove `announce: true` and use ${port}",
          }),
        );
      }
    }
  }
  return issues;
}

/** The strings of a service where templates are filled in, with their paths. */
function templateFields(name: string, service: RawService): Array<[ConfigPath, string]> {
  const at = (...rest: ConfigPath): ConfigPath => ["services", name, ...rest];
  const fields: Array<[ConfigPath, string]> = [];
  const commandLine = (value: RawService["command"] | undefined, path: ConfigPath) => {
    if (typeof value === "string") fields.push([path, value]);
    else value?.forEach((arg, index) => fields.push([[...path, index], String(arg)]));
  };
  commandLine(service.command, at("command"));
  service.args?.forEach((arg, index) => fields.push([at("args", index), String(arg)]));
  for (const [key, value] of Object.entries(service.env ?? {})) fields.push([at("env", key), String(value)]);
  commandLine(service.health?.command, at("health", "command"));
  const http = service.health?.http;
  if (typeof http === "string") fields.push([at("health", "http"), http]);
  else if (http?.path) fields.push([at("health", "http", "path"), http.path]);
  const tunnel = typeof service.tunnel === "object" ? service.tunnel : undefined;
  commandLine(tunnel?.command, at("tunnel", "command"));
  tunnel?.args?.forEach((arg, index) => fields.push([at("tunnel", "args", index), String(arg)]));
  if (typeof tunnel?.verify === "string") fields.push([at("tunnel", "verify"), tunnel.verify]);
  if (typeof service.url === "string") fields.push([at("url"), service.url]);
  return fields;
}

/** Two services cannot both prefer the same port number: one of them would never get it. */
export function preferredPortsDistinct({ config, source }: RuleContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const owners = new Map<number, string>();
  for (const service of config.services.values()) {
    for (const port of service.ports) {
      if (port.preferred === undefined) continue;
      const path: ConfigPath =
        port.name === "default" && service.ports.length === 1 ? ["services", service.name, "port"] : ["services", service.name, "ports", port.name];
      const owner = owners.get(port.preferred);
      if (owner) {
        issues.push(source.issue(path, `port ${port.preferred} is already preferred by ${owner}`, { hint: "give each service its own port, or `auto`" }));
      } else {
        owners.set(port.preferred, path.join("."));
      }
    }
  }
  return issues;
}
