import { readRecords, supervisorAlive, type StackRecord } from "./registry.js";
import type { StateLayout } from "./paths.js";

/** A recorded stack instance and whether the process supervising it is still alive. */
export interface RecordedStack {
  record: StackRecord;
  /** False: the supervisor died (killed, crashed); its services may still run, unsupervised. */
  alive: boolean;
}

/** Every stack instance recorded on this machine (for this user), optionally of one project only. */
export function recordedStacks(layout: StateLayout, options: { project?: string; warn?: (message: string) => void } = {}): RecordedStack[] {
  return readRecords(layout, options.warn)
    .filter((record) => options.project === undefined || record.project === options.project)
    .map((record) => ({ record, alive: supervisorAlive(record) }));
}
