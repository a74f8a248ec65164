import { readRecords, supervisorAlive, type StackRecord } from "./registry.js";
import type { StateLayout } from "./paths.js";

/** A recorded stack instance and whether the process supervising it is still alive. */
export interface RecordedStack {
  record: StackRecord;
  /** False: the supervisor died (killed, crashed); its services may still run, unsupervised. */
  alive: boolean;
}

/** Every stack instance recorded on this machine (for this user), optionally of one project, or of the projects
 * a predicate picks (by name, before any record is read). */
export function recordedStacks(
  layout: StateLayout,
  options: { project?: string | ((project: string) => boolean); warn?: (message: string) => void } = {},
): RecordedStack[] {
  const { project } = options;
  const wanted = project === undefined ? undefined : typeof project === "string" ? (name: string) => name === project : project;
  return readRecords(layout, options.warn, wanted).map((record) => ({ record, alive: supervisorAlive(record) }));
}
