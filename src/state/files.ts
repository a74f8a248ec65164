import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

let counter = 0;

/**
 * Writes a file so that readers see either the old content or the new one, never half of it: a private
 * (0600) temporary file in the same folder, renamed over the target. (No fsync: this is about readers racing
 * writers, not about surviving a power cut, and records are rewritten on every status change.)
 */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${++counter}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    // A full disk must not also collect half-written temporary files.
    rmSync(temporary, { force: true });
    throw error;
  }
}
