import { accessSync, constants } from "node:fs";
import { dirname, isAbsolute, relative } from "node:path";
import { ExitCode, PortmateError } from "../errors.js";

/** Why the kernel refused, in words; the code itself is kept in the message for searching. */
const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EROFS: "it is on a read-only file system",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "part of its path is a file, not a folder",
  ENOENT: "a folder in it cannot be created",
};

/** Errors that a full or read-only disk gives on writes that name no path (a write to an open file). */
const DISK_WIDE = new Set(["ENOSPC", "EDQUOT", "EROFS"]);

/**
 * A clear error for a state folder that cannot be written (full disk, read-only, wrong permissions, a file in
 * the way), or undefined when `error` is something else. The state folder is where every `up` records its
 * stack and reserves its ports, so nothing starts without it: exit 2, as for a config the user must fix.
 */
export function stateFolderError(error: unknown, root: string): PortmateError | undefined {
  if (!(error instanceof Error)) return undefined;
  const failure: NodeJS.ErrnoException = error;
  // A recursive mkdir on a read-only file system says ENOENT: ask the folder itself what is wrong with it.
  const code = failure.code === "ENOENT" && failure.syscall === "mkdir" ? (writeProblem(root) ?? failure.code) : failure.code;
  if (!code || !(code in REASONS)) return undefined;
  const path = failure.path;
  if (path === undefined ? !DISK_WIDE.has(code) : !inside(path, root)) return undefined;
  const where = path === undefined || path === root ? "" : ` (${failure.syscall ?? "writing"} ${path})`;
  return new PortmateError(`cannot write to the state folder ${root}: ${REASONS[code]} [${code}]${where}`, ExitCode.usage, [
    "Nothing was started.",
    code === "ENOSPC" || code === "EDQUOT"
      ? "hint: free some space there, or point PORTMATE_STATE_DIR at a folder on another disk"
      : "hint: point PORTMATE_STATE_DIR (or XDG_STATE_HOME) at a folder you can write to",
  ]);
}

function writeProblem(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      accessSync(dir, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") return code;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function inside(path: string, root: string): boolean {
  const rest = relative(root, path);
  return rest === "" || (!rest.startsWith("..") && !isAbsolute(rest));
}
