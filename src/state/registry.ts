import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ServiceStatus } from "../supervise/events.js";
import { isGone } from "../process/process-tree.js";
import { writeFileAtomic } from "./files.js";
import { ensurePrivateDir, type StateLayout } from "./paths.js";

/** One service of a running stack instance, as recorded for `ps`, `down` and `logs`. */
export interface ServiceRecord {
  name: string;
  /** `backend` or `backend#2`. */
  id: string;
  pid: number | null;
  /** Kernel start time of `pid` (Linux), so a reused pid is never taken for the service; 0 where unknown. */
  startTime: number;
  /** Ports by name, primary first. */
  ports: Record<string, number>;
  port: number | null;
  url: string | null;
  /** Its public tunnel's URL while open; absent in records of older versions. */
  publicUrl?: string | null;
  status: ServiceStatus;
  exitCode: number | null;
  restarts: number;
  /** The service's log file. */
  log: string;
  /** When its current process started (ISO 8601). */
  startedAt: string | null;
  /** How to stop it when its supervisor is gone: its stop_signal and stop_timeout. */
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  /** The variables portmate gives the service (injected, from env files, its `env:`), for `portmate env`. */
  env?: Record<string, string>;
  /** The folder it runs in (absolute), for `portmate run SERVICE`; absent in records of older versions. */
  cwd?: string;
  /** The ids of the services it depends on (`db`, `db#2`); absent in records of older versions. */
  dependsOn?: string[];
  /** What its health check answered last (`GET /health → 200`), whether that passed, and when; absent before its first check. */
  check?: { ok: boolean; answer: string; at: string };
  /** Its stable name (`ui.demo.localhost`), which the local proxy routes to `port`; absent without `proxy:`. */
  hostname?: string;
  /** Its URL through the proxy (`http://ui.demo.localhost:1356`). */
  namedUrl?: string;
}

/** Everything portmate knows about one running instance of a project (spec §5). */
export interface StackRecord {
  version: 1;
  project: string;
  instance: number;
  configFile: string;
  /** The `-f` files it reads, merged in order (absolute); absent: its config was found by its name (with the override beside it). */
  configFiles?: string[];
  /** `foreground`: a `portmate up` in a terminal; `detached`: a supervisor started by `portmate up -d`. */
  mode: "foreground" | "detached";
  supervisor: { pid: number; startTime: number; /** Unix socket that takes stop requests. */ control: string };
  startedAt: string;
  services: ServiceRecord[];
}

const RECORD = /^(.+)@(\d+)\.json$/;

export function recordPath(layout: StateLayout, project: string, instance: number): string {
  return join(layout.stacks, `${project}@${instance}.json`);
}

/** Writes (or replaces) a record atomically, readable only by the user. */
export function writeRecord(layout: StateLayout, record: StackRecord): void {
  ensurePrivateDir(layout.stacks);
  writeFileAtomic(recordPath(layout, record.project, record.instance), `${JSON.stringify(record, null, 2)}\n`);
}

export function removeRecord(layout: StateLayout, project: string, instance: number): void {
  rmSync(recordPath(layout, project, instance), { force: true });
}

/**
 * Every record in the state folder, by project name, then instance number (instance 10 after 9, not after 1).
 * A file that cannot be read or is not a record (corrupt, edited by hand, from another version) is reported
 * through `warn` and skipped: one bad file never stops `ps` or `down` from handling the others. `wanted` picks
 * projects by name.
 */
export function readRecords(layout: StateLayout, warn: (message: string) => void = () => {}, wanted: (project: string) => boolean = () => true): StackRecord[] {
  let names: string[];
  try {
    names = readdirSync(layout.stacks);
  } catch {
    return [];
  }
  const records: StackRecord[] = [];
  // Told by its file name which project a record is of, only the wanted ones are read.
  const chosen = names.filter((entry) => {
    const project = RECORD.exec(entry)?.[1];
    return project !== undefined && wanted(project);
  });
  for (const name of chosen.sort(byProjectAndInstance)) {
    const path = join(layout.stacks, name);
    try {
      const data: unknown = JSON.parse(readFileSync(path, "utf8"));
      const problem = recordProblem(data);
      if (problem) warn(`ignoring ${path}: ${problem}`);
      else records.push(data as StackRecord);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // removed while we listed
      warn(`ignoring ${path}: ${(error as Error).message}`);
    }
  }
  return records;
}

function byProjectAndInstance(a: string, b: string): number {
  const [, projectA = "", instanceA = "0"] = RECORD.exec(a) ?? [];
  const [, projectB = "", instanceB = "0"] = RECORD.exec(b) ?? [];
  return projectA === projectB ? Number(instanceA) - Number(instanceB) : projectA < projectB ? -1 : 1;
}

/** Why `data` is not a usable record, or undefined when it is one. */
function recordProblem(data: unknown): string | undefined {
  if (!data || typeof data !== "object") return "not a stack record";
  const record = data as Partial<StackRecord>;
  if (record.version !== 1) return `unknown record version ${JSON.stringify(record.version)}`;
  if (typeof record.project !== "string" || typeof record.instance !== "number") return "no project or instance";
  if (typeof record.supervisor?.pid !== "number") return "no supervisor pid";
  if (!Array.isArray(record.services)) return "no services";
  for (const service of record.services) {
    if (typeof service?.id !== "string" || typeof service.ports !== "object" || service.ports === null) return "a service without id or ports";
  }
  return undefined;
}

/** Whether the process that supervises the stack is still the one that wrote the record. */
export function supervisorAlive(record: StackRecord): boolean {
  return !isGone(record.supervisor.pid, record.supervisor.startTime);
}
