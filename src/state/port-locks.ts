import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Allocation } from "../ports/allocate.js";
import type { PortReservation } from "../ports/reservation.js";
import { identify, isGone, sameProcess } from "../process/process-tree.js";
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
 * Named locks shared by every portmate process of the user: one file per name, created with O_EXCL, so exactly
 * one process holds each, however many try at the same instant. The file names its owner; a lock whose owner
 * died is reclaimed, under a second O_EXCL file so two reclaimers cannot both take it.
 */
export class OwnedLocks {
  readonly dir: string;
  readonly owner: LockOwner;

  constructor(dir: string, owner: LockOwner) {
    this.dir = ensurePrivateDir(dir);
    this.owner = owner;
  }

  claim(name: string): boolean {
    if (this.create(name)) return true;
    const owner = readOwner(this.path(name));
    if (owner === "unreadable" || (owner && !ownerDead(owner))) return false;
    return this.reclaim(name);
  }

  /** Removes the lock if this owner holds it (a lock another process took over is left alone). */
  release(name: string): void {
    const owner = readOwner(this.path(name));
    if (owner && owner !== "unreadable" && sameProcess(owner, this.owner)) rmSync(this.path(name), { force: true });
  }

  /** Removes every lock this owner holds: what a process that died left (see reap.ts). */
  releaseAll(): void {
    for (const entry of readdirSync(this.dir)) if (entry.endsWith(".lock")) this.release(entry.slice(0, -".lock".length));
  }

  /** The live owner of a lock, if any. */
  holder(name: string): LockOwner | undefined {
    const owner = readOwner(this.path(name));
    return owner && owner !== "unreadable" && !ownerDead(owner) ? owner : undefined;
  }

  private path(name: string): string {
    return join(this.dir, `${name}.lock`);
  }

  /** Creates the lock file if nobody has it; false when it exists. */
  private create(name: string): boolean {
    let fd: number;
    try {
      fd = openSync(this.path(name), "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    try {
      try {
        writeSync(fd, JSON.stringify({ ...this.owner, at: new Date().toISOString() }));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      // An empty lock (the disk is full) would block the name for everyone until it grows old.
      rmSync(this.path(name), { force: true });
      throw error;
    }
    return true;
  }

  /**
   * Takes over the lock of a dead owner. Only the holder of `<name>.reclaim` may remove a lock file, after
   * checking again that its owner is dead; a live owner's lock is never removed, so no lock can be held twice
   * even when several processes find the same stale lock at once.
   */
  private reclaim(name: string): boolean {
    const guard = join(this.dir, `${name}.reclaim`);
    let fd: number;
    try {
      fd = openSync(guard, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A reclaimer that died holding the guard would block the name forever: drop a guard that old.
      if (ageMs(guard) > UNREADABLE_GRACE_MS) rmSync(guard, { force: true });
      return false;
    }
    closeSync(fd);
    try {
      const owner = readOwner(this.path(name));
      if (owner === "unreadable" || (owner && !ownerDead(owner))) return false;
      rmSync(this.path(name), { force: true });
      return this.create(name);
    } finally {
      rmSync(guard, { force: true });
    }
  }
}

/**
 * Cross-process port reservations (`ports/PORT.lock`): of all the portmate runs on the machine exactly one gets
 * each port, however many start at the same instant; the reservation of a run that died is reclaimed.
 */
export class PortLocks implements PortReservation {
  private readonly locks: OwnedLocks;

  constructor(dir: string, owner: LockOwner) {
    this.locks = new OwnedLocks(dir, owner);
  }

  /** Locks held by the process running now, for `project`. */
  static forThisProcess(dir: string, project: string): PortLocks {
    return new PortLocks(dir, { ...identify(process.pid), project });
  }

  claim(port: number): boolean {
    return this.locks.claim(String(port));
  }

  release(port: number): void {
    this.locks.release(String(port));
  }

  /** Releases every port this owner still holds. */
  releaseAllHeld(): void {
    this.locks.releaseAll();
  }

  /** The live portmate process holding `port`, if any. */
  holder(port: number): LockOwner | undefined {
    return this.locks.holder(String(port));
  }

  /** An allocation of `ports` already reserved in this owner's name: what a supervisor given a plan releases. */
  allocationOf(ports: Iterable<number>): Allocation {
    const held = new Set(ports);
    return {
      ports: new Map(),
      notes: [],
      probes: 0,
      release: async (which = [...held]) => {
        for (const port of which) if (held.delete(port)) this.release(port);
      },
    };
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
