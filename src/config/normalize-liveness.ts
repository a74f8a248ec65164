import { formatDuration } from "../util/duration.js";
import { duration, type NormalizeContext } from "./normalize-values.js";
import type { ConfigPath } from "./source.js";
import { DEFAULT_LIVENESS, type HealthCheckConfig, type LivenessConfig, type RawLiveness } from "./types.js";

/**
 * `health.liveness`: `true` for the defaults, a map of them, `false` or nothing for none. It repeats the
 * readiness check, so that check must be one that can be asked again: a `log` line is matched once, and a
 * service without a check has nothing to ask.
 */
export function normalizeLiveness(
  raw: boolean | RawLiveness | undefined,
  check: HealthCheckConfig,
  ctx: NormalizeContext,
  at: ConfigPath,
): LivenessConfig | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (check.kind === "log" || check.kind === "none") {
    const why = check.kind === "log" ? "a `log` check matches a line once and cannot be repeated" : "the service has no port and no check";
    ctx.issues.push(ctx.source.issue(at, `needs an \`http\`, \`tcp\` or \`command\` check to repeat, but ${why}`, { at: "key" }));
    return undefined;
  }
  const options = raw === true ? {} : raw;
  const min = { min: 1, hint: `checks without a pause would keep the CPU busy; the default is ${formatDuration(DEFAULT_LIVENESS.intervalMs)}` };
  return {
    intervalMs: duration(options.interval, DEFAULT_LIVENESS.intervalMs, ctx, [...at, "interval"], min),
    timeoutMs: duration(options.timeout, DEFAULT_LIVENESS.timeoutMs, ctx, [...at, "timeout"], {
      min: 1,
      hint: `a check needs time to be answered; the default is ${formatDuration(DEFAULT_LIVENESS.timeoutMs)}`,
    }),
    failures: options.failures ?? DEFAULT_LIVENESS.failures,
  };
}
