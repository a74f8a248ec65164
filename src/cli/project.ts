import { readProjectName } from "../config/project-name.js";

/** The global options that say which project a command is about. */
export interface ProjectOptions {
  file?: string;
  projectName?: string;
}

/** The project a command is about: `-p NAME`, else the config file's (`-f`, or portmate.yaml here or above). */
export async function currentProject(options: ProjectOptions): Promise<string> {
  return readProjectName({ file: options.file, projectName: options.projectName });
}
