import { statSync } from "node:fs";

/** Whether `path` is a folder that exists (false for a file, a missing path, or one that cannot be looked at). */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
