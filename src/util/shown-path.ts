import { relative, sep } from "node:path";

/** A file as messages show it: relative to the working folder (`cwd`) when it is inside it, else absolute. */
export function shownPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== ".." ? rel : file;
}
