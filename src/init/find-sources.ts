import { existsSync } from "node:fs";
import { basename, join } from "node:path";

/** The kinds of file init reads a project's services from. */
export type SourceKind = "procfile" | "compose" | "package";

export interface FoundSource {
  kind: SourceKind;
  /** Absolute. */
  file: string;
}

/**
 * The files init looks for, the first found being read: a Procfile lists the processes a developer runs (a
 * Procfile.dev those of development), a compose file the services with their images, package.json the scripts.
 */
const CANDIDATES: ReadonlyArray<[string, SourceKind]> = [
  ["Procfile.dev", "procfile"],
  ["Procfile", "procfile"],
  ["compose.yaml", "compose"],
  ["compose.yml", "compose"],
  ["docker-compose.yaml", "compose"],
  ["docker-compose.yml", "compose"],
  ["package.json", "package"],
];

/** Every source in `dir`, in the order init prefers them. */
export function findSources(dir: string): FoundSource[] {
  return CANDIDATES.filter(([name]) => existsSync(join(dir, name))).map(([name, kind]) => ({ kind, file: join(dir, name) }));
}

/** The kind of a file named by `init --from`, from its name; undefined when the name tells none. */
export function sourceKind(file: string): SourceKind | undefined {
  const name = basename(file).toLowerCase();
  if (name.startsWith("procfile")) return "procfile";
  if (name === "package.json" || name === "pnpm-workspace.yaml") return "package";
  if (/compose.*\.ya?ml$/.test(name)) return "compose";
  return undefined;
}
