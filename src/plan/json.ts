import type { Plan } from "./types.js";

/**
 * A plan as JSON, to hand it to a detached supervisor: plain data but for the `log` health check's RegExp,
 * written as `{ "$regexp": source, "flags": flags }`.
 */
export function planToJson(plan: Plan): string {
  return JSON.stringify(plan, (_key, value: unknown) => (value instanceof RegExp ? { $regexp: value.source, flags: value.flags } : value));
}

export function planFromJson(text: string): Plan {
  return JSON.parse(text, (_key, value: unknown) => {
    const regexp = value as { $regexp?: unknown; flags?: unknown } | null;
    return regexp && typeof regexp === "object" && typeof regexp.$regexp === "string" ? new RegExp(regexp.$regexp, String(regexp.flags ?? "")) : value;
  }) as Plan;
}
