import { z } from "zod";
import { MAX_INSTANCES } from "../plan/limits.js";
import { currentProject } from "../operations/current-project.js";

// The arguments several tools share, described once so that every tool says the same of them.

export const project = z
  .string()
  .optional()
  .describe("The project's name, as list_services shows it; default: the project of the folder this server runs in (its portmate.yaml)");

export const instance = z
  .number()
  .int()
  .min(1)
  .max(MAX_INSTANCES)
  .optional()
  .describe("Which copy of the stack, when it runs several side by side (`up` with instances); default: 1");

export const services = z.array(z.string()).optional();

export const timeoutSeconds = z
  .number()
  .int()
  .min(0)
  .max(3600)
  .optional()
  .describe("Seconds each service gets to stop before it is killed; default: each service's stop_timeout");

/** The project a tool is about: the one named, else the one of the folder this server runs in. */
export async function projectOf(name: string | undefined): Promise<string> {
  return name ?? (await currentProject({}));
}
