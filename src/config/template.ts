import { closingBrace } from "../util/command-line.js";

/**
 * `${…}` templates (spec §2). portmate's own references (`${port}`, `${services.api.url}`, `${instance}`…) are
 * filled from the plan; anything else is environment interpolation like docker compose: `${VAR}`, `$VAR`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+other}`, `${VAR+other}`,
 * and `$$` for a literal `$`.
 */

/** Something wrong with a template: an unknown reference, a bad form, a required variable that is unset. */
export class TemplateError extends Error {}

export type Reference =
  | { kind: "port" }
  | { kind: "ports"; port: string }
  | { kind: "host" }
  | { kind: "url" }
  | { kind: "named-url" }
  | { kind: "instance" }
  | { kind: "project" }
  | { kind: "service-port"; service: string }
  | { kind: "service-ports"; service: string; port: string }
  | { kind: "service-url"; service: string }
  | { kind: "service-named-url"; service: string };

type EnvOperator = ":-" | "-" | ":?" | "?" | ":+" | "+";

type Segment = { kind: "text"; text: string } | { kind: "ref"; ref: Reference } | { kind: "env"; name: string; operator?: EnvOperator; argument?: Segment[] };

/** The ports of one service as templates see them. */
export interface TemplateService {
  /** Port numbers by name, in declaration order: the first is the primary port. */
  ports: Record<string, number>;
  /** The URL the service announced, which `${services.SVC.url}` gives instead of one built from its port. */
  url?: string;
  /** Its `url:` (a template of its own host and ports): what `${services.SVC.url}` gives, rendered for it. */
  urlTemplate?: string;
  /** Its URL through the local proxy (`http://ui.demo.localhost:1356`), when it has a name. */
  namedUrl?: string;
  /** It has no URL: neither `url:` nor an HTTP health check (no `http://` is guessed for it). */
  noUrl?: boolean;
  /**
   * The service announces its port and has not yet: a reference to it is left as written, `${services.api.url}`,
   * to be filled in once the port is known.
   */
  pending?: boolean;
}

/** Everything a template can refer to, for one service of one instance. */
export interface TemplateContext {
  project: string;
  instance: number;
  host: string;
  /** The service the template belongs to. */
  self: string;
  /** Every service of the same instance. */
  services: ReadonlyMap<string, TemplateService>;
  env: Readonly<Record<string, string | undefined>>;
  /** Told about `${VAR}` left empty because VAR is unset (compose warns about those too). */
  onUnsetVariable?: (name: string) => void;
  /** Told about every environment variable a template reads. */
  onVariable?: (name: string) => void;
  /**
   * How another engine addresses services (`portmate export`): port and URL references become its own
   * (`http://backend:8000` on a compose network, `${NOMAD_PORT_backend}` in a Nomad job).
   */
  address?: EngineAddressing;
}

/** Port and URL references as another engine writes them. */
export interface EngineAddressing {
  /** One port of a service: `port` is the number the export gave it. */
  port(service: string, portName: string, port: number): string;
  /** The URL of a service, by its primary port. */
  url(service: string, portName: string, port: number): string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const parsedCache = new Map<string, Segment[]>();

/** Fills in every template of `text`. Throws TemplateError when a reference cannot be resolved. */
export function renderTemplate(text: string, context: TemplateContext): string {
  return renderSegments(parseTemplate(text), context);
}

/** portmate references found in `text` (not environment variables), for dependency and selection rules. */
export function referencesIn(text: string): Reference[] {
  const found: Reference[] = [];
  const walk = (segments: Segment[]) => {
    for (const segment of segments) {
      if (segment.kind === "ref") found.push(segment.ref);
      else if (segment.kind === "env" && segment.argument) walk(segment.argument);
    }
  };
  walk(parseTemplate(text));
  return found;
}

/** The service a reference points at (`${services.api.url}` → api), or undefined for the service itself. */
export function referencedService(ref: Reference): string | undefined {
  return "service" in ref ? ref.service : undefined;
}

function parseTemplate(text: string): Segment[] {
  let segments = parsedCache.get(text);
  if (!segments) {
    segments = parse(text);
    parsedCache.set(text, segments);
  }
  return segments;
}

function parse(text: string): Segment[] {
  const segments: Segment[] = [];
  let literal = "";
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (char !== "$") {
      literal += char;
      continue;
    }
    const next = text.charAt(index + 1);
    if (next === "$") {
      literal += "$";
      index++;
    } else if (next === "{") {
      const end = closingBrace(text, index + 1);
      if (end < 0) throw new TemplateError(`unclosed "\${" in "${text}"`);
      if (literal) segments.push({ kind: "text", text: literal });
      literal = "";
      segments.push(parseExpression(text.slice(index + 2, end)));
      index = end;
    } else {
      const name = NAME.exec(text.slice(index + 1))?.[0];
      if (name) {
        if (literal) segments.push({ kind: "text", text: literal });
        literal = "";
        segments.push({ kind: "env", name });
        index += name.length;
      } else {
        literal += "$"; // a lone `$` (as in a regex or `$1`) stays as it is
      }
    }
  }
  if (literal) segments.push({ kind: "text", text: literal });
  return segments;
}

function parseExpression(expression: string): Segment {
  const ref = parseReference(expression);
  if (ref) return { kind: "ref", ref };
  const name = NAME.exec(expression)?.[0];
  if (!name) throw new TemplateError(`"\${${expression}}" is not a valid reference or variable name`);
  const rest = expression.slice(name.length);
  if (!rest) return { kind: "env", name };
  const operator = ([":-", ":?", ":+", "-", "?", "+"] as const).find((op) => rest.startsWith(op));
  if (!operator) {
    if (rest.startsWith(".")) throw new TemplateError(unknownReference(expression));
    throw new TemplateError(`"\${${expression}}" is not a valid reference or variable name`);
  }
  return { kind: "env", name, operator, argument: parse(rest.slice(operator.length)) };
}

function parseReference(expression: string): Reference | undefined {
  const parts = expression.split(".");
  const [head, second, third, fourth, ...extra] = parts;
  switch (head) {
    case "port":
    case "host":
    case "url":
    case "instance":
    case "project":
      if (parts.length === 1) return { kind: head };
      throw new TemplateError(unknownReference(expression));
    case "named_url":
      if (parts.length === 1) return { kind: "named-url" };
      throw new TemplateError(unknownReference(expression));
    case "ports":
      if (parts.length === 2 && second) return { kind: "ports", port: second };
      throw new TemplateError(`"\${${expression}}" must name one port, like \${ports.metrics}`);
    case "services": {
      if (!second || !third) throw new TemplateError(`"\${${expression}}" must name a service and a field, like \${services.api.url}`);
      if (third === "port" && parts.length === 3) return { kind: "service-port", service: second };
      if (third === "url" && parts.length === 3) return { kind: "service-url", service: second };
      if (third === "named_url" && parts.length === 3) return { kind: "service-named-url", service: second };
      if (third === "ports" && fourth && extra.length === 0) return { kind: "service-ports", service: second, port: fourth };
      throw new TemplateError(`${unknownReference(expression)}: a service has \`port\`, \`ports.NAME\`, \`url\` and \`named_url\``);
    }
    default:
      if (parts.length > 1 && NAME.test(head ?? "") && !/[:?+-]/.test(expression)) throw new TemplateError(unknownReference(expression));
      return undefined;
  }
}

function unknownReference(expression: string): string {
  return `unknown reference "\${${expression}}"`;
}

function renderSegments(segments: Segment[], context: TemplateContext): string {
  let out = "";
  for (const segment of segments) {
    if (segment.kind === "text") out += segment.text;
    else if (segment.kind === "ref") out += isPending(segment.ref, context) ? referenceText(segment.ref) : resolveReference(segment.ref, context);
    else out += resolveVariable(segment, context);
  }
  return out;
}

function resolveVariable(segment: Extract<Segment, { kind: "env" }>, context: TemplateContext): string {
  context.onVariable?.(segment.name);
  // Own keys only: `${constructor}` is an unset variable, not Object's constructor.
  const value = Object.hasOwn(context.env, segment.name) ? context.env[segment.name] : undefined;
  const empty = value === undefined || value === "";
  const argument = () => renderSegments(segment.argument ?? [], context);
  switch (segment.operator) {
    case ":-":
      return empty ? argument() : value;
    case "-":
      return value === undefined ? argument() : value;
    case ":?":
    case "?":
      if (segment.operator === ":?" ? empty : value === undefined) {
        const message = argument();
        throw new TemplateError(`${segment.name} is required${message ? `: ${message}` : ""}`);
      }
      return value ?? "";
    case ":+":
      return empty ? "" : argument();
    case "+":
      return value === undefined ? "" : argument();
    default:
      if (value === undefined) context.onUnsetVariable?.(segment.name);
      return value ?? "";
  }
}

/** Whether `ref` points at a port not announced yet. */
function isPending(ref: Reference, context: TemplateContext): boolean {
  if (ref.kind === "host" || ref.kind === "instance" || ref.kind === "project") return false;
  return context.services.get(referencedService(ref) ?? context.self)?.pending === true;
}

/** A reference as it is written: `${services.api.port}`. */
function referenceText(ref: Reference): string {
  switch (ref.kind) {
    case "ports":
      return `\${ports.${ref.port}}`;
    case "service-port":
      return `\${services.${ref.service}.port}`;
    case "service-url":
      return `\${services.${ref.service}.url}`;
    case "service-named-url":
      return `\${services.${ref.service}.named_url}`;
    case "named-url":
      return "${named_url}";
    case "service-ports":
      return `\${services.${ref.service}.ports.${ref.port}}`;
    default:
      return `\${${ref.kind}}`;
  }
}

function resolveReference(ref: Reference, context: TemplateContext): string {
  switch (ref.kind) {
    case "host":
      return context.host;
    case "instance":
      return String(context.instance);
    case "project":
      return context.project;
    case "port":
      return portText(context.self, undefined, context);
    case "url":
      return serviceUrl(context.self, context);
    case "ports":
      return portText(context.self, ref.port, context);
    case "service-port":
      return portText(ref.service, undefined, context);
    case "service-url":
      return serviceUrl(ref.service, context);
    case "named-url":
      return namedUrl(context.self, context);
    case "service-named-url":
      return namedUrl(ref.service, context);
    case "service-ports":
      return portText(ref.service, ref.port, context);
  }
}

/** A service's port (`name`, else its primary one) as the template gives it: the number, or the engine's form. */
function portText(service: string, name: string | undefined, context: TemplateContext): string {
  const portName = name ?? primaryPortName(service, context);
  const port = name === undefined ? primaryPort(service, context) : namedPort(service, name, context);
  return context.address ? context.address.port(service, portName, port) : String(port);
}

function primaryPortName(name: string, context: TemplateContext): string {
  return Object.keys(serviceOf(name, context).ports)[0] ?? "default";
}

function serviceOf(name: string, context: TemplateContext): TemplateService {
  const service = context.services.get(name);
  if (!service) throw new TemplateError(`unknown service "${name}"`);
  return service;
}

/**
 * A service's URL through the local proxy. Another engine (`portmate export`) has no proxy: there it is the
 * service's own URL.
 */
function namedUrl(name: string, context: TemplateContext): string {
  const service = serviceOf(name, context);
  if (context.address) return serviceUrl(name, context);
  if (service.namedUrl === undefined) {
    throw new TemplateError(
      `service "${name}" has no name through the proxy: names need \`proxy: true\` at the top of the config, and a service that speaks HTTP (an HTTP health check, or an http \`url:\`)`,
    );
  }
  return service.namedUrl;
}

function serviceUrl(name: string, context: TemplateContext): string {
  const service = serviceOf(name, context);
  if (service.url !== undefined && !context.address) return service.url;
  if (service.urlTemplate !== undefined) return declaredUrl(name, service.urlTemplate, context);
  if (service.noUrl) {
    throw new TemplateError(
      `service "${name}" has no URL: it is not checked over HTTP, and no \`http://\` is guessed; give it \`url:\` (\`url: redis\`, \`url: postgres://\${host}:\${port}/app\`) or use its port`,
    );
  }
  if (context.address) return context.address.url(name, primaryPortName(name, context), primaryPort(name, context));
  return `http://${context.host}:${primaryPort(name, context)}`;
}

/**
 * A service's `url:`, rendered for that service (its `${host}` and `${port}`). For another engine, its scheme
 * and path around the engine's address of the service (`redis://cache:6379/0`).
 */
function declaredUrl(name: string, template: string, context: TemplateContext): string {
  const own: TemplateContext = { ...context, self: name };
  if (!context.address) return renderTemplate(template, { ...own, address: undefined });
  const [, scheme = "http", rest = ""] = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/[^/?#]*(.*)$/.exec(template) ?? [];
  const address = context.address.url(name, primaryPortName(name, context), primaryPort(name, context)).replace(/^[a-z]+:\/\//, `${scheme}://`);
  return `${address}${renderTemplate(rest, own)}`;
}

function primaryPort(name: string, context: TemplateContext): number {
  const first = Object.values(serviceOf(name, context).ports)[0];
  if (first === undefined) throw new TemplateError(`service "${name}" has no port (it has \`port: none\`)`);
  return first;
}

function namedPort(name: string, port: string, context: TemplateContext): number {
  const ports = serviceOf(name, context).ports;
  const value = Object.hasOwn(ports, port) ? ports[port] : undefined;
  if (value === undefined) {
    const names = Object.keys(ports);
    throw new TemplateError(`service "${name}" has no port named "${port}"${names.length ? ` (its ports: ${names.join(", ")})` : ""}`);
  }
  return value;
}
