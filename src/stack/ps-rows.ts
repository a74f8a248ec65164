import type { RecordedStack } from "../state/recorded-stacks.js";
import type { ServiceRecord } from "../state/registry.js";
import { listensElsewhere } from "../supervise/port-truth.js";
import { listeningPorts } from "./listening-ports.js";

/**
 * One row of `portmate ps`; the JSON of `ps --json` has these keys but `id` and `uptimeMs`, with `publicUrl` as
 * `public_url` and `namedUrl` as `named_url`.
 */
export interface PsRow {
  project: string;
  instance: number;
  service: string;
  /** `backend`, `backend#2`. */
  id: string;
  pid: number | null;
  port: number | null;
  ports: Record<string, number>;
  /** `starting`, `healthy`, `unhealthy`, `restarting`, `exited (CODE)`, `stopping`, or `stale`. */
  status: string;
  url: string | null;
  /** Its URL through the local proxy (`http://ui.demo.localhost:1356`), when the project has names. */
  namedUrl: string | null;
  /** Its public tunnel's URL while open. */
  publicUrl: string | null;
  startedAt: string | null;
  uptimeMs: number | null;
  /** The ports its processes listen on, when asked for (`ps`) and known. */
  listening?: number[];
}

/**
 * psRows, each running service with the ports it really listens on; one that listens on none of its own ports
 * has it said in its status (`healthy, listens on 5173, not 8600`).
 */
export async function psRowsListening(stacks: readonly RecordedStack[], now = Date.now()): Promise<PsRow[]> {
  const rows = psRows(stacks, now);
  const services = stacks.flatMap((stack) => stack.record.services.map((service) => ({ stack, service })));
  const listening = await listeningPorts(services);
  rows.forEach((row, index) => {
    const ports = listening[index];
    if (ports === undefined) return;
    row.listening = ports;
    if (listensElsewhere(ports, row.ports)) row.status = `${row.status}, listens on ${ports.join(", ")}, not ${Object.values(row.ports).join(", ")}`;
  });
  return rows;
}

export function psRows(stacks: readonly RecordedStack[], now = Date.now()): PsRow[] {
  return stacks.flatMap(({ record, alive }) =>
    record.services.map((service) => ({
      project: record.project,
      instance: record.instance,
      service: service.name,
      id: service.id,
      // Stopped by `portmate stop`: its last pid is no process of the stack any more.
      pid: service.status === "stopped" ? null : service.pid,
      port: service.port,
      ports: service.ports,
      status: alive ? displayStatus(service) : "stale",
      url: service.url,
      namedUrl: service.namedUrl ?? null,
      publicUrl: alive ? (service.publicUrl ?? null) : null,
      startedAt: service.startedAt,
      uptimeMs: alive && service.startedAt && isRunning(service) ? now - Date.parse(service.startedAt) : null,
    })),
  );
}

function isRunning(service: ServiceRecord): boolean {
  return ["starting", "healthy", "unhealthy", "stopping"].includes(service.status);
}

function displayStatus(service: ServiceRecord): string {
  switch (service.status) {
    case "pending":
      return "starting";
    case "exited":
    case "failed":
      return service.exitCode === null ? "exited" : `exited (${service.exitCode})`;
    case "skipped":
      return "not started";
    default:
      return service.status;
  }
}
