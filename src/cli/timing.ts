// PORTMATE_TIMING=1: the CLI says on stderr when each phase of its start-up ended, in ms since Node started
// the process (performance.now()), so `npm run bench` can show which phase a slower start-up lost its time in.
// Off, a mark costs one comparison: it is read once, here, as the CLI's entry loads.
const enabled = process.env.PORTMATE_TIMING === "1";

/** The start-up phases in the order they end; `healthy` is the last service's health check passing. */
export type Phase = "entry" | "loaded" | "config" | "ports" | "spawn" | "healthy";

const seen = new Set<Phase>();

/** Notes that `phase` ended now; only its first end counts (the first spawn of many). */
export function timing(phase: Phase): void {
  if (!enabled || seen.has(phase)) return;
  seen.add(phase);
  process.stderr.write(`[portmate timing] ${phase} ${performance.now().toFixed(1)}\n`);
}
