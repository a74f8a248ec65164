import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { childProcess } from "../util/child-process.js";
import { within } from "../util/deferred.js";
import { packageInfo } from "../util/package-root.js";
import type { RootProcess } from "../process/process-tree.js";

/** What the reaper needs to stop a dead supervisor's services as `portmate down` would. */
export interface ReapOrder {
  /** The portmate process that supervises the services: the reaper acts only once it is gone. */
  owner: RootProcess;
  /** The state folder holding the stack's records and port reservations (default: the usual one). */
  stateDir?: string;
  /** How many instances of the services run. */
  instances: number;
  /** Every service (by name, for every instance), with how it asks to be stopped. */
  services: Array<{ name: string; signal: NodeJS.Signals; timeoutMs: number }>;
}

/**
 * `sh` reads two lines from a pipe: the order for the reaper, then `done` once the supervisor has stopped its
 * services itself. End-of-file instead of `done` means the supervisor died: the reaper runs. End-of-file
 * before any order means it died before it started anything (or did not need the watchdog).
 */
const SCRIPT = 'read -r order || exit 0; read -r line && [ "$line" = done ] || exec "$@" "$order"';

/**
 * Stops a stack's services when the process supervising them dies without stopping them: SIGKILL, the OOM
 * killer, a crash no exit handler runs for. Services outlive it by the reaper's start (~0.1 s) plus their own
 * stop time, instead of forever.
 *
 * How: a `sh` in a session of its own reads a pipe whose only writer is this process. However this process
 * ends, the kernel closes the pipe; `sh` reads end-of-file and runs the reaper (`dist/reaper.js`), which finds
 * the services by their records and by the mark every service process carries (process-marker.ts). A clean
 * stop writes `done` first and `sh` just exits. A waiting `sh` costs about 1 MB and no CPU.
 * Why not the alternatives: a hang-up through a pty per service (as mprocs gets) needs a native module and gives
 * every service a terminal; PR_SET_PDEATHSIG reaches only direct children, and Node cannot set it.
 */
export class Watchdog {
  private armed = false;
  /** Resolves when `sh` has exited, listened to from its start. */
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly pipe: Writable,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  /**
   * Starts the watchdog, unarmed: a process that will supervise a stack starts it while it has time (a
   * detached supervisor waiting for its plan), as the first spawn of a process costs a few milliseconds.
   * Undefined where it cannot run (no `sh`: Windows), which only loses this safety net.
   */
  static start(): Watchdog | undefined {
    let child: ChildProcess;
    try {
      child = childProcess().spawn("/bin/sh", ["-c", SCRIPT, "portmate-watchdog", process.execPath, join(packageInfo().root, "dist", "reaper.js")], {
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      });
    } catch {
      return undefined;
    }
    const pipe = child.stdin;
    if (!pipe) return undefined;
    child.on("error", () => undefined);
    pipe.on("error", () => undefined);
    // Neither the watchdog nor its pipe may keep this process alive.
    child.unref();
    (pipe as Writable & { unref?: () => void }).unref?.();
    return new Watchdog(child, pipe);
  }

  /** From now on, this process dying runs the reaper with `order`. Call before starting any service. */
  arm(order: ReapOrder): void {
    if (this.armed || this.pipe.writableEnded) return;
    this.armed = true;
    this.pipe.write(`${JSON.stringify(order)}\n`);
  }

  /** The services were stopped: the watchdog exits without running the reaper. Idempotent. */
  disarm(): void {
    if (this.pipe.writableEnded) return;
    this.pipe.end(this.armed ? "done\n" : "");
  }

  /**
   * Disarms the watchdog and waits (up to `boundMs`) until `sh` has exited, so that nothing of portmate outlives
   * the command, not even for the moment `sh` takes to read its pipe.
   */
  async close(boundMs = 1000): Promise<void> {
    this.disarm();
    await within(this.exited, boundMs);
  }

  /** The watchdog's pid, for tests. */
  get pid(): number | undefined {
    return this.child.pid;
  }
}
