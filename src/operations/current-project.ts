import { findConfigFile, readProjectName, type ConfigFiles } from "../config/project-name.js";
import { checkoutOf } from "../stack/checkout.js";
import { stateLayout } from "../state/paths.js";

/** Which project a command is about: `-f FILE` and `-p NAME` of the CLI, or a caller's own. */
export interface ProjectOptions {
  /** The config file, or several merged in order. */
  file?: ConfigFiles;
  projectName?: string;
  /** `--env-file`: read for `${VAR}` instead of the `.env` beside the config, by the commands that load it. */
  envFiles?: string[];
}

/**
 * The project a command is about: `-p NAME`, else the config file's (`-f`, or portmate.yaml here or above), or
 * the name this checkout runs as beside another checkout of the project (see stack/checkout.ts).
 */
export async function currentProject(options: ProjectOptions): Promise<string> {
  const name = await readProjectName({ file: options.file, projectName: options.projectName });
  if (options.projectName !== undefined) return name;
  return checkoutOf(stateLayout(), findConfigFile(options.file, process.cwd()), name)?.project ?? name;
}
