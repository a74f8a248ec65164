import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parse } from "yaml";
import { type Draft, type DraftService, serviceName } from "./draft.js";
import { servesPage, withPort } from "./port-flags.js";

interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  workspaces?: string[] | { packages?: string[] };
  packageManager?: string;
}

type Manager = "npm" | "pnpm" | "yarn";

/** Scripts that build or watch files rather than serve: they get no port. */
const NOT_A_SERVER = /--watch\b|\bwatch\b|\btsc\b|\btsup\b|\brollup\b|\besbuild\b|\bbuild\b/;

/**
 * package.json: with workspaces (npm and yarn `workspaces`, pnpm's pnpm-workspace.yaml), one service per
 * package that has a `dev` (else `start`) script; without, the root package's. Each runs its script with the
 * project's package manager, in the package's folder.
 */
export function fromPackageJson(dir: string, base: string): Draft {
  const root = readPackage(join(dir, "package.json"));
  const manager = managerOf(dir, root);
  const globs = workspaceGlobs(dir, root);
  const folders = globs.length ? expandGlobs(dir, globs) : [dir];
  const services: DraftService[] = [];
  const notes: string[] = [];
  const taken = new Set<string>();
  for (const folder of folders) {
    const pkg = folder === dir ? root : readPackage(join(folder, "package.json"));
    const where = relative(base, folder) || ".";
    const script = pkg.scripts?.dev !== undefined ? "dev" : pkg.scripts?.start !== undefined ? "start" : undefined;
    if (!script) {
      notes.push(`${join(where, "package.json")}: no dev or start script, so no service`);
      continue;
    }
    const name = serviceName(pkg.name ?? (folder === dir ? "app" : basename(folder)), taken);
    taken.add(name);
    services.push(packageService(name, manager, script, pkg.scripts?.[script] as string, where));
  }
  return { source: relative(base, join(dir, "package.json")), services, notes };
}

function packageService(name: string, manager: Manager, script: string, text: string, where: string): DraftService {
  const run = `${manager} run ${script}`;
  // npm hands a script the arguments after `--`; pnpm and yarn those after the script's name.
  const ported = withPort(text, (args) => (manager === "npm" ? `${run} -- ${args}` : `${run} ${args}`));
  const forwarded = ported.command.startsWith(run);
  const service: DraftService = {
    name,
    notes: [`${join(where, "package.json")}: "${script}": ${JSON.stringify(text)}`],
    command: forwarded ? ported.command : run,
    guesses: {},
  };
  const program = scriptProgram(text);
  if (program) service.program = program;
  if (where !== ".") service.cwd = where;
  if (forwarded && ported.guess) service.guesses.command = ported.guess;
  if (ported.preferred !== undefined) {
    // The script names its port itself: prefer that one; it works on another only once the script reads $PORT.
    service.port = ported.preferred;
    service.guesses.port = `its script always takes ${ported.preferred}: make it read $PORT (set by portmate) to run on another`;
  }
  if (ported.env) service.env = ported.env;
  if (!ported.listens) {
    if (NOT_A_SERVER.test(text)) {
      service.port = "none";
      service.guesses.port = "builds or watches files, serves nothing";
    } else service.guesses.command = "expected to listen on $PORT, which portmate sets";
  }
  if (servesPage(ported.server)) {
    service.health = { http: "/" };
    service.guesses.health = "ready when / answers 2xx or 3xx";
  }
  return service;
}

/** The program a script starts: its first word after `VAR=value` assignments and `cross-env`. */
export function scriptProgram(text: string): string | undefined {
  const words = text.trim().split(/\s+/);
  const first = words.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) && word !== "cross-env");
  const word = first === -1 ? undefined : words[first];
  return word && /^[\w@./-]+$/.test(word) ? word : undefined;
}

function readPackage(file: string): PackageJson {
  return JSON.parse(readFileSync(file, "utf8")) as PackageJson;
}

function managerOf(dir: string, root: PackageJson): Manager {
  if (root.packageManager?.startsWith("pnpm") || existsSync(join(dir, "pnpm-workspace.yaml")) || existsSync(join(dir, "pnpm-lock.yaml"))) return "pnpm";
  if (root.packageManager?.startsWith("yarn") || existsSync(join(dir, "yarn.lock"))) return "yarn";
  return "npm";
}

function workspaceGlobs(dir: string, root: PackageJson): string[] {
  const pnpmFile = join(dir, "pnpm-workspace.yaml");
  if (existsSync(pnpmFile)) {
    const packages = (parse(readFileSync(pnpmFile, "utf8")) as { packages?: unknown } | null)?.packages;
    return Array.isArray(packages) ? packages.filter((glob): glob is string => typeof glob === "string") : [];
  }
  const workspaces = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  return workspaces.filter((glob): glob is string => typeof glob === "string");
}

/**
 * The package folders of workspace globs as people write them: `apps/*`, `packages/**`, `tools/cli`; `!glob`
 * leaves folders out. Deeper patterns are read as their first `*` level.
 */
export function expandGlobs(dir: string, globs: readonly string[]): string[] {
  const folders = (patterns: readonly string[]) =>
    patterns.flatMap((glob) => {
      const clean = glob.replace(/^\.\//, "").replace(/\/+$/, "");
      const star = clean.indexOf("*");
      if (star === -1) return [join(dir, clean)];
      const parent = join(dir, clean.slice(0, star));
      if (!existsSync(parent)) return [];
      return readdirSync(parent, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith("."))
        .map((entry) => join(parent, entry.name))
        .sort();
    });
  const excluded = new Set(folders(globs.filter((glob) => glob.startsWith("!")).map((glob) => glob.slice(1))));
  const included = folders(globs.filter((glob) => !glob.startsWith("!")));
  return [...new Set(included)].filter((folder) => !excluded.has(folder) && existsSync(join(folder, "package.json")));
}
