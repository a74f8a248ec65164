import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { PortReservation } from "../ports/reservation.js";
import { identify, isGone } from "../supervise/process-tree.js";
import { ensurePrivateDir } from "./paths.js";

/** Who holds a port reservation: a portmate process (a supervisor, or a foreground `up`). */
export interface LockOwner {
  pid: number;
  startTime: number;
  project: string;
}

/** A lock file with no readable owner this old was left by a process that died while creating it. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Cross-process port reservations: one lock file per port, created with O_EXCL, so of all the portmate runs
 * on the machine exactly one gets each port, however many start at the same instant. The file names its
 * owner; a reservation whose owner died is reclaimed, under a second O_EXCL file so two reclaimers cannot
 * both take it.
 */
export class PortLocks implements PortReservation {
  readonly dir: string;
  readonly owner: LockOwner;

  constructor(dir: string, owner: LockOwner) {
    this.dir = ensurePrivateDir(dir);
    this.owner = owner;
  }

  /** Locks held by the process running now, for `project`. */
  static forThisProcess(dir: string, project: string): PortLocks {
    return new PortLocks(dir, { ...identify(process.pid), project });
  }

  claim(port: number): boolean {
    if (this.create(port)) return true;
    const owner = readOwner(this.path(port));
    if (owner === "unreadable" || (owner && !ownerDead(owner))) return false;
    return this.reclaim(port);
  }

  release(port: number): void {
    const owner = readOwner(this.path(port));
    if (owner && owner !== "unreadable" && owner.pid === this.owner.pid) rmSync(this.path(port), { force: true });
  }

  private path(port: number): string {
    return join(this.dir, `${port}.lock`);
  }

  /** Creates the lock file if nobody has it; false when it exists. */
  private create(port: number): boolean {
    let fd: number;
    try {
      fd = openSync(this.path(port), "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    try {
      writeSync(fd, JSON.stringify({ ...this.owner, at: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /**
   * Takes over the lock of a dead owner. Only the holder of `<port>.reclaim` may remove a lock file, after
   * checking again that its owner is dead; a live owner's lock is never removed, so no port can be handed out
   * twice even when several runs find the same stale lock at once.
   */
  private reclaim(port: number): boolean {
    const guard = join(this.dir, `${port}.reclaim`);
    let fd: number;
    try {
      fd = openSync(guard, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A reclaimer that died holding the guard would block the port forever: drop a guard that old.
      if (ageMs(guard) > UNREADABLE_GRACE_MS) rmSync(guard, { force: true });
      return false;
    }
    closeSync(fd);
    try {
      const owner = readOwner(this.path(port));
      if (owner === "unreadable" || (owner && !ownerDead(owner))) return false;
      rmSync(this.path(port), { force: true });
      return this.create(port);
    } finally {
      rmSync(guard, { force: true });
    }
  }
}

/** The owner named in a lock file; undefined when there is none, "unreadable" while it is being written. */
export function readOwner(path: string): LockOwner | "unreadable" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === "number") return { pid: owner.pid, startTime: owner.startTime ?? 0, project: owner.project ?? "?" };
  } catch {
    // fall through: empty or partly written
  }
  // Nothing readable: being written right now, or left so by a process that died; only age tells.
  return ageMs(path) > UNREADABLE_GRACE_MS ? { pid: 0, startTime: 0, project: "?" } : "unreadable";
}

function ownerDead(owner: LockOwner): boolean {
  return owner.pid === 0 || isGone(owner.pid, owner.startTime);
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
