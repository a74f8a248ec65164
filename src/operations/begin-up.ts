import { ExitCode, PortmateError } from "../errors.js";
import { loadConfig, type ConfigFiles, type LoadedConfig } from "../config/load.js";
import { identify } from "../process/process-tree.js";
import { checkoutOf } from "../stack/checkout.js";
import { stopStacks } from "../stack/stop.js";
import type { UpOptions } from "../stack/up.js";
import { OwnedLocks } from "../state/port-locks.js";
import { recordedStacks, type RecordedStack } from "../state/recorded-stacks.js";
import type { StateLayout } from "../state/paths.js";

/** What `up` starts from: the config, and either the project's running stacks or the right to start it. */
export interface BegunUp {
  loaded: LoadedConfig;
  project: string;
  /** The project's stacks, when one runs already: `up` applies the config to them (see apply-config.ts). */
  running?: RecordedStack[];
  /** What planning this checkout's stack takes besides the config: its project name beside another checkout. */
  checkout: Pick<UpOptions, "projectName" | "checkout">;
  /** Lets another `up` of the project start; called once the stack is recorded, or on failure (again is harmless). */
  release(): void;
}

export interface BeginUpOptions {
  /** The config file, or several merged in order. */
  file?: ConfigFiles;
  cwd?: string;
  projectName?: string;
  /** `--env-file`: read for `${VAR}` instead of the `.env` beside the config. */
  envFiles?: readonly string[];
  /** Told what is worth a line: this checkout runs beside another. */
  note?: (line: string) => void;
  warn?: (message: string) => void;
}

/**
 * Loads the config and claims the project, as one `up` at a time may start it: another checkout of the project
 * running already makes this one run beside it under its own name; a stack that runs already is returned
 * (and the claim let go); a supervisor that died left its services behind, which are stopped first.
 */
export async function beginUp(layout: StateLayout, options: BeginUpOptions): Promise<BegunUp> {
  const where = { file: options.file, cwd: options.cwd, ...(options.envFiles === undefined ? {} : { envFiles: options.envFiles }) };
  let loaded = loadConfig({ ...where, projectName: options.projectName });
  // Another checkout of the project runs already: this one runs beside it, under its own name.
  const checkout = options.projectName === undefined ? checkoutOf(layout, loaded.config.file, loaded.config.project) : undefined;
  if (checkout) {
    loaded = loadConfig({ ...where, projectName: checkout.project });
    if (checkout.elsewhere) {
      options.note?.(
        `${checkout.base} runs already from ${checkout.elsewhere}: this checkout runs beside it as ${checkout.project}${loaded.config.proxy ? `, its names are SERVICE.${checkout.label}.${checkout.base}.localhost` : ""}`,
      );
    }
  }
  const project = loaded.config.project;
  // Only one `up` of a project at a time, from here until its record exists.
  const starting = new OwnedLocks(layout.stacks, { ...identify(process.pid), project });
  if (!starting.claim(project)) {
    const holder = starting.holder(project);
    throw new PortmateError(`${project} is being started by another portmate${holder ? ` (pid ${holder.pid})` : ""}`, ExitCode.serviceFailed, [
      "hint: `portmate ps` shows it once it is up",
    ]);
  }
  let claimed = true;
  const release = () => {
    if (claimed) starting.release(project);
    claimed = false;
  };
  try {
    const recorded = recordedStacks(layout, { project, warn: options.warn });
    const planning = checkout ? { projectName: checkout.project, checkout: { base: checkout.base, label: checkout.label } } : {};
    if (recorded.some((stack) => stack.alive)) {
      release();
      return { loaded, project, running: recorded, checkout: planning, release };
    }
    // A supervisor that died left its services behind: stop them before starting afresh on those ports.
    if (recorded.length) await stopStacks(layout, recorded, { warn: options.warn });
    return { loaded, project, checkout: planning, release };
  } catch (error) {
    release();
    throw error;
  }
}
