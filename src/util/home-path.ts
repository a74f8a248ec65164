import { homedir } from "node:os";
import { sep } from "node:path";

/** A path as people write it: under their home folder, `~/…`; any other path as it is. */
export function homeAbbreviated(path: string): string {
  const home = homedir();
  return home.length > 1 && path.startsWith(home + sep) ? `~${path.slice(home.length)}` : path;
}
