import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import type { Readable } from "node:stream";
import { execa, type Options } from "execa";
import type { PlannedService } from "../plan/types.js";
import { OWNER_VARIABLE, serviceMark, thisSupervisor } from "../process/process-marker.js";

export type OutputStream = "stdout" | "stderr";

/** How a process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started service process. Its process group id is its pid (it leads a session of its own). */
export interface SpawnedProcess {
  pid: number;
  /**
   * Resolves when the process has exited and its output has been read to the end, or shortly after it exited
   * when a descendant keeps the output open.
   */
  exit: Promise<ExitStatus>;
}

/** How long to keep reading output after the process exited, when a descendant still holds it open. */
const OUTPUT_DRAIN_MS = 200;

/** Starts a service's command; what the supervisor uses unless a test injects another. */
export type Spawner = (service: PlannedService, onLine: (line: string, stream: OutputStream) => void) => Promise<SpawnedProcess>;

/** The command could not be started at all (not found, not executable…). */
export class SpawnError extends Error {}

/**
 * Runs the service with execa in a new session (`detached`), so it leads its own process group: a Ctrl-C
 * in portmate's terminal does not reach it, and stopping it can signal the whole group. No shell runs
 * unless the service asks for one. Output is read line by line.
 */
export const spawnService: Spawner = async (service, onLine) => {
  const options = {
    cwd: service.cwd,
    // The mark finds the service's processes at stop time even when they detached themselves completely.
    env: { ...service.env, [OWNER_VARIABLE]: serviceMark(thisSupervisor(), service.id) },
    extendEnv: false,
    preferLocal: true,
    localDir: service.cwd,
    detached: true,
    cleanup: false,
    stdin: "ignore",
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
  } satisfies Options;
  const { command } = service;
  const subprocess = command.shell ? execa(command.script, { ...options, shell: "/bin/sh" }) : execa(command.file, command.args, options);

  const exited = new Promise<ExitStatus>((resolve) => subprocess.once("exit", (code, signal) => resolve({ code, signal })));
  if (subprocess.pid === undefined) {
    const result = await subprocess;
    throw new SpawnError(result.originalMessage || result.shortMessage);
  }
  const outputRead = Promise.all([
    readLines(subprocess.stdout, (line) => onLine(line, "stdout")),
    readLines(subprocess.stderr, (line) => onLine(line, "stderr")),
  ]);
  // The last lines of a crashing service are the ones that explain the crash: read them before reporting the exit.
  const exit = exited.then(async (status) => {
    await Promise.race([outputRead, sleep(OUTPUT_DRAIN_MS)]);
    return status;
  });
  // Settles once the process has exited and its output is closed; nothing to do with the result here.
  void subprocess.then(() => undefined);
  return { pid: subprocess.pid, exit };
};

/** Calls `onLine` for each line of `stream`; resolves when the stream has ended. */
function readLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on("line", onLine);
  // A read error on a service's output ends its output; unheard, it would crash the supervisor.
  lines.on("error", () => lines.close());
  return new Promise((resolve) => lines.once("close", () => resolve()));
}
