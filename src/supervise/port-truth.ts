import { setTimeout as sleep } from "node:timers/promises";
import { heldByOthers, listeningPortsOf } from "../ports/proc-sockets.js";
import type { PlannedCommand, PlannedService } from "../plan/types.js";
import type { MarkQuery } from "../process/process-marker.js";
import type { RootProcess } from "../process/process-tree.js";
import { serviceProcesses } from "../process/terminate.js";

/** A network check refused this long is worth asking where the service listens instead. */
const GRACE_MS = 1500;
/** How often it is asked after that. */
const EVERY_MS = 1000;

/** How each known server is given its port, by a word of its command line. */
const PORT_FLAGS: Array<[RegExp, string]> = [
  [/\bvite\b/, "vite: --port ${port} --strictPort"],
  [/\bstreamlit\b/, "streamlit: --server.port ${port}"],
  [/\bgradio\b/, "gradio: GRADIO_SERVER_PORT: ${port} in env:"],
  [/\bnext\b/, "next: -p ${port}"],
  [/\buvicorn\b/, "uvicorn: --port ${port}"],
  [/\bgunicorn\b/, "gunicorn: --bind 127.0.0.1:${port}"],
  [/\bflask\b/, "flask run: --port ${port}"],
  [/\brunserver\b/, "manage.py runserver ${host}:${port}"],
  [/\brails\b/, "rails server: -p ${port}"],
  [/\bhttp\.server\b/, "python3 -m http.server ${port}"],
  [/\bwebpack\b/, "webpack serve: --port ${port}"],
];

/** Whether a service listens, but on none of its own ports: it most likely ignores the port it was given. */
export function listensElsewhere(listening: readonly number[] | undefined, own: Readonly<Record<string, number>>): listening is number[] {
  const ports = Object.values(own);
  return listening !== undefined && listening.length > 0 && ports.length > 0 && !listening.some((port) => ports.includes(port));
}

/** What a service's process tree is, to look at its sockets. */
export interface ServiceProcesses {
  service: PlannedService;
  root: RootProcess | undefined;
  mark: MarkQuery;
  /** What the health check got last (`connection refused on 8600`), if anything yet. */
  lastCheck: string | undefined;
}

/**
 * Watches a service that starts with a network health check on its port: when the check has been refused for a
 * while and the service's processes listen on other ports but on none of its own, it most likely ignores
 * `${port}` (a wrong flag or variable name, the most common mistake with Streamlit, Gradio and Vite) and would
 * only time out. Calls `found` with the reason once (`listens on 5173, not on its port 8600: …`); returns when
 * `signal` fires.
 */
export async function watchPortTruth(target: () => ServiceProcesses, signal: AbortSignal, found: (reason: string) => void): Promise<void> {
  const { service } = target();
  const own = Object.values(service.ports);
  if (own.length === 0 || service.announce || (service.health.kind !== "http" && service.health.kind !== "tcp")) return;
  try {
    await sleep(GRACE_MS, undefined, { signal });
    for (;;) {
      const now = target();
      if (now.root && now.lastCheck?.startsWith("connection refused")) {
        const pids = serviceProcesses(now.root, now.mark).map((info) => info.pid);
        const ports = await listeningPortsOf(pids);
        if (signal.aborted) return;
        // Its ports as they are now: one may have been moved off a port taken from it meanwhile.
        if (listensElsewhere(ports, now.service.ports)) {
          found(elsewhereReason(ports, now.service));
          return;
        }
      }
      await sleep(EVERY_MS, undefined, { signal });
    }
  } catch {
    // Aborted (the check passed, the service exited, the stack stops), or the sockets could not be read: the
    // health check's deadline still applies, this only makes a hopeless wait short.
  }
}

/**
 * A moment after a service became healthy: when its processes listen, but on none of its ports, the reason to
 * mark it unhealthy (with, when another program holds its port, that this one answered its health check); else
 * undefined. A health check that is a command or a log line never looks at the port, and an HTTP or TCP one can
 * be answered by another program.
 */
export async function offItsPort(target: ServiceProcesses): Promise<string | undefined> {
  const { service, root, mark } = target;
  const own = Object.values(service.ports);
  if (!root || own.length === 0 || service.announce) return undefined;
  const pids = serviceProcesses(root, mark).map((info) => info.pid);
  const ports = await listeningPortsOf(pids);
  if (!listensElsewhere(ports, service.ports)) return undefined;
  const answered = (await heldByOthers(own, pids)).length > 0 ? `; another program answered its health check on ${own.join(", ")}` : "";
  return `${elsewhereReason(ports, service)}${answered}`;
}

/** `listens on 5173, not on its port 8600: does its command pass ${port}? (vite: --port ${port} --strictPort)` */
export function elsewhereReason(ports: readonly number[], service: PlannedService): string {
  const own = Object.values(service.ports);
  const line = commandLine(service.command);
  const hint = PORT_FLAGS.find(([pattern]) => pattern.test(line))?.[1];
  const where = `listens on ${ports.join(", ")}, not on its port${own.length === 1 ? "" : "s"} ${own.join(", ")}`;
  return `${where}: does its command pass \${port}?${hint ? ` (${hint})` : " (or $PORT, which it is given)"}`;
}

function commandLine(command: PlannedCommand): string {
  return command.shell ? command.script : [command.file, ...command.args].join(" ");
}
