import type { ServiceConfig } from "../config/types.js";
import { serviceId } from "../plan/names.js";
import { renderService } from "../plan/render.js";
import type { PlannedService, Wiring } from "../plan/types.js";
import type { StackListener } from "./events.js";
import type { ServiceRunner } from "./service-runner.js";

/** A running stack's config, loaded again: what it should run now. */
export interface Reconfiguration {
  /** The selected services, in start order. */
  services: ServiceConfig[];
  /** The environment every service starts from. */
  env: Record<string, string>;
  /** What `${VAR}` reads (see Wiring). */
  variables?: Record<string, string>;
  /** Every port by portKey(): the ports kept, and those allocated for new or changed requests. */
  ports: Record<string, number>;
  /** Every service of the config, in its order: what gives each its colour. */
  serviceNames: string[];
  /** How many instances the stack has now: more than before adds instances (every service of each is added). */
  instances: number;
}

/** What a reconfiguration did to one service (by id), in words for a line of its own. */
export interface ReconfiguredService {
  service: string;
  action: "added" | "removed" | "restarted" | "changed" | "failed" | "unchanged";
  /** What changed (`env API_URL, port 8001 → 8003`), or why it failed. */
  detail?: string;
}

/** What the supervisor lends to reconfigure its running stack. */
export interface ReconfigureLending {
  /** What the services are rendered from: changed in place, as the rewiring and every runner render from it. */
  readonly wiring: Wiring;
  /** Every runner, in start order, as they are now. */
  readonly runners: readonly ServiceRunner[];
  /** The instances that run (not being stopped), and those being added. */
  readonly instances: readonly number[];
  readonly hurry: AbortSignal;
  readonly emit: StackListener;
  /** A runner for a service added to the config. */
  newRunner(service: PlannedService): ServiceRunner;
  /** Makes `runners` the stack's runners, in this order (start order). */
  setRunners(runners: ServiceRunner[]): void;
  /** Starts a new runner; throws (having stopped it) when it does not come up healthy. */
  launch(runner: ServiceRunner): Promise<void>;
  /** Replaces a running service with a run rendered afresh, on its ports; throws when it is not healthy. */
  restart(runner: ServiceRunner): Promise<void>;
}

/**
 * Applies `next` to a running stack, compose-style: services added start, removed ones stop, changed ones
 * restart (those whose rendered command, environment, ports or settings differ, which takes in the services
 * whose environment refers to a port that moved), and the rest keeps running untouched. Dependencies first;
 * each restart or start healthy before the next. One line per service that was acted on (and `unchanged` ones).
 */
export async function reconfigure(lent: ReconfigureLending, next: Reconfiguration): Promise<ReconfiguredService[]> {
  const running = new Set(lent.instances);
  const before = new Map(lent.runners.map((runner) => [runner.id, runner]));
  // Ports the services announced are not in the config: they carry over, as their URLs do.
  const announced = Object.fromEntries(
    next.services
      .filter((service) => service.announce)
      .flatMap((service) => [...running].map((instance) => `${instance}/${service.name}/`))
      .flatMap((prefix) => Object.entries(lent.wiring.ports).filter(([key]) => key.startsWith(prefix))),
  );
  Object.assign(lent.wiring, { services: next.services, env: next.env, variables: next.variables ?? next.env, ports: { ...next.ports, ...announced } });
  const rendered = new Map<string, PlannedService>();
  for (const instance of running)
    for (const service of next.services) rendered.set(serviceId(service.name, instance), renderService(lent.wiring, service.name, instance));

  const report: ReconfiguredService[] = [];
  const removed = lent.runners.filter((runner) => running.has(runner.service.instance) && !rendered.has(runner.id));
  for (const runner of removed.reverse()) {
    lent.emit({ type: "reconfigured", service: runner.id, action: "removed" });
    if (!runner.stopCalled) await runner.stop(lent.hurry);
    report.push({ service: runner.id, action: "removed" });
  }

  // The new order: the config's start order within each instance; instances that do not run keep what they had.
  const order: ServiceRunner[] = [];
  const changes = new Map<ServiceRunner, string | undefined>();
  const instances = [...new Set(lent.runners.map((runner) => runner.service.instance).concat([...running]))].sort((a, b) => a - b);
  for (const instance of instances) {
    if (!running.has(instance)) {
      order.push(...lent.runners.filter((runner) => runner.service.instance === instance));
      continue;
    }
    for (const service of next.services) {
      const id = serviceId(service.name, instance);
      const planned = rendered.get(id) as PlannedService;
      const existing = before.get(id);
      const runner = existing ?? lent.newRunner(planned);
      order.push(runner);
      changes.set(runner, existing ? difference(existing.service, planned) : undefined);
    }
  }
  lent.setRunners(order);

  for (const runner of order) {
    if (!changes.has(runner)) continue;
    const change = changes.get(runner);
    const added = !before.has(runner.id);
    if (!added && change === undefined) {
      report.push({ service: runner.id, action: "unchanged" });
      continue;
    }
    if (!added && runner.stopCalled) {
      // Stopped by `portmate stop`: it stays stopped, and starts as the config says now.
      report.push({ service: runner.id, action: "changed", detail: `${change}; it stays stopped until \`portmate start\`` });
      continue;
    }
    lent.emit({ type: "reconfigured", service: runner.id, action: added ? "added" : "restarted", ...(change ? { detail: change } : {}) });
    try {
      if (added) await lent.launch(runner);
      else await lent.restart(runner);
      const ports = Object.values(runner.service.ports);
      report.push({
        service: runner.id,
        action: added ? "added" : "restarted",
        detail: added ? (ports.length ? `on port ${ports.join(", ")}` : "started") : (change as string),
      });
    } catch (error) {
      const reason = (error as Error).message;
      lent.emit({ type: "reconfigured", service: runner.id, action: "failed", detail: reason });
      report.push({ service: runner.id, action: "failed", detail: reason });
    }
  }
  return report;
}

/** The settings a run takes from its service, compared from one config to the next. */
const COMPARED = [
  "command",
  "cwd",
  "env",
  "ports",
  "announce",
  "health",
  "restart",
  "stopSignal",
  "stopTimeoutMs",
  "dependsOn",
  "tunnel",
  "watch",
  "url",
] as const;

/**
 * What differs between a service's current run and how the new config renders it, in words; undefined:
 * nothing. What follows from a port of its own that moved (its `PORT`, its URL, its health check's port) is
 * not told again: `port 8000 → 8123` says it.
 */
export function difference(now: PlannedService, next: PlannedService): string | undefined {
  const moved = Object.keys(now.ports).filter((name) => next.ports[name] !== undefined && now.ports[name] !== next.ports[name]);
  const moves = new Map(moved.map((name) => [String(now.ports[name]), String(next.ports[name])]));
  const parts: string[] = [];
  for (const key of COMPARED) {
    if (key === "ports") {
      const names = [...new Set([...Object.keys(now.ports), ...Object.keys(next.ports)])].filter((name) => now.ports[name] !== next.ports[name]);
      for (const name of names) parts.push(`${name === "default" ? "port" : `port ${name}`} ${now.ports[name] ?? "-"} → ${next.ports[name] ?? "-"}`);
    } else if (key === "env") {
      const names = [...new Set([...Object.keys(now.env), ...Object.keys(next.env)])].filter((name) => !same(now.env[name], next.env[name], moves)).sort();
      if (names.length) parts.push(`env ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`);
    } else if (!same(now[key], next[key], moves)) {
      parts.push(key === "stopSignal" ? "stop_signal" : key === "stopTimeoutMs" ? "stop_timeout" : key === "dependsOn" ? "depends_on" : key);
    }
  }
  return parts.length ? parts.join(", ") : undefined;
}

/** Whether `a`, with its own ports that moved put in their new places (`moves`), is `b`. */
function same(a: unknown, b: unknown, moves: ReadonlyMap<string, string> = new Map()): boolean {
  const text = (value: unknown) => JSON.stringify(value, (_key, item: unknown) => (item instanceof RegExp ? `/${item.source}/${item.flags}` : item)) ?? "";
  let before = text(a);
  for (const [from, to] of moves) before = before.replace(new RegExp(`(?<![0-9])${from}(?![0-9])`, "g"), to);
  return before === text(b);
}
