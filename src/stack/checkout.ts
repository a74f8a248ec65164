import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { dnsLabel } from "../plan/hostnames.js";
import type { StateLayout } from "../state/paths.js";
import { recordedStacks } from "../state/recorded-stacks.js";

/** A checkout of a project that runs beside another checkout of it: under its own project name and names. */
export interface Checkout {
  /** The project name both checkouts share (`demo`): the names are under it, `ui.LABEL.demo.localhost`. */
  base: string;
  /** The checkout's label: its git branch, else its folder's name (`fix-login`). */
  label: string;
  /** `demo-fix-login`: the project this checkout runs as (records, `ps`, logs). */
  project: string;
  /** The config file of the checkout that runs under the plain name. */
  elsewhere?: string;
}

/**
 * Which project a config file runs as (README, "Two checkouts"). Normally its own name. When another checkout
 * of the same project (another config file with that name) runs already, this one runs beside it as
 * `NAME-LABEL`, LABEL being its git branch or its folder: its own stack, its own names. A checkout that runs
 * already is found by its config file, so `ps`, `down` and the rest in that folder find it too.
 */
export function checkoutOf(layout: StateLayout, configFile: string, base: string): Checkout | undefined {
  // Only this project's records and its checkouts' (`demo`, `demo-…`) are read: every command asks this.
  const alive = recordedStacks(layout, { project: (name) => name === base || name.startsWith(`${base}-`) })
    .filter((stack) => stack.alive)
    .map((stack) => stack.record);
  const mine = alive.find((record) => record.configFile === configFile && record.project.startsWith(`${base}-`));
  if (mine && !alive.some((record) => record.configFile === configFile && record.project === base)) {
    return { base, label: mine.project.slice(base.length + 1), project: mine.project };
  }
  const other = alive.find((record) => record.project === base && record.configFile !== configFile);
  if (!other) return undefined;
  const label = checkoutLabel(dirname(configFile));
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? label : `${label}-${n}`;
    const project = `${base}-${candidate}`;
    if (!alive.some((record) => record.project === project && record.configFile !== configFile))
      return { base, label: candidate, project, elsewhere: other.configFile };
  }
}

/** The git branch the folder is checked out at (a worktree's own), else the folder's name: as a DNS label. */
export function checkoutLabel(dir: string): string {
  const branch = gitBranch(dir);
  return dnsLabel(branch ?? basename(resolve(dir)));
}

function gitBranch(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    let gitDir: string | undefined;
    try {
      if (statSync(dotGit).isDirectory()) gitDir = dotGit;
      else gitDir = resolve(dir, /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim() ?? "");
    } catch {
      gitDir = undefined;
    }
    if (gitDir) {
      try {
        return /^ref:\s*refs\/heads\/(.+)$/m.exec(readFileSync(join(gitDir, "HEAD"), "utf8"))?.[1]?.trim();
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
