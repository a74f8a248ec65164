import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../src/config/load.js";
import { ConfigSource } from "../../src/config/source.js";
import { formatDuration } from "../../src/util/duration.js";
import { ConfigError, formatIssue, type ConfigIssue } from "../../src/errors.js";
import { buildPlan } from "../../src/plan/build.js";
import { portRequests } from "../../src/plan/port-requests.js";
import { selectServices } from "../../src/plan/select-services.js";
import { type Plan } from "../../src/plan/types.js";
import { MARKER_JS } from "./config-cases.js";
import { FUZZ_ENV } from "./fuzz-inputs.js";

/**
 * The fuzz oracle: runs one config text through the library as `up` does, up to the plan (ports are given
 * out in order instead of probed, so nothing binds or starts), and decides whether the outcome is acceptable:
 * a sound plan, or a ConfigError whose every issue is one line starting with `FILE:LINE:COL:`, the position
 * inside the document. Anything else (another error, a message over several lines, a position outside the
 * file, a plan with a duration no timer can hold, too slow) throws a FuzzFailure named after what broke.
 */

/** The input broke the rule; `slug` says how, in a few words fit for a file name. */
export class FuzzFailure extends Error {
  constructor(
    readonly slug: string,
    message: string,
  ) {
    super(message);
    this.name = "FuzzFailure";
  }
}

export type Outcome = { kind: "plan"; plan: Plan; warnings: ConfigIssue[] } | { kind: "config-error"; firstLine: string; issues: readonly ConfigIssue[] };

/** Longest time one input may take to be judged; beyond it, it counts as a hang. */
export const TIME_LIMIT_MS = 3000;

/** The longest delay a Node.js timer holds (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The name the config file has in messages. */
export const FUZZ_FILE = "portmate.yaml";

/** The folder configs are judged in: what they may refer to (a marker service, an env file, a sub-folder). */
export function fuzzFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "portmate-fuzz-"));
  fillFuzzFolder(dir);
  return dir;
}

export function fillFuzzFolder(dir: string): void {
  writeFileSync(join(dir, "marker.js"), MARKER_JS);
  writeFileSync(join(dir, ".env"), "FROM_FILE=1\n");
  mkdirSync(join(dir, "sub"), { recursive: true });
}

/** The environment configs are judged with: only PATH and the fuzzer's variables, so a fixture replays the same anywhere. */
export function fuzzEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "", ...FUZZ_ENV };
}

/** Judges one input; returns its outcome when acceptable, throws a FuzzFailure when not. */
export function judgeConfig(text: string, dir: string): Outcome {
  const started = performance.now();
  // A Node.js warning (the yaml library emits some) would be printed by the CLI above the error line.
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error) => void warnings.push(String(warning))) as typeof process.emitWarning;
  let outcome: Outcome;
  try {
    outcome = outcomeOf(text, dir);
  } finally {
    process.emitWarning = emitWarning;
  }
  if (warnings.length) throw new FuzzFailure(`node-warning-${slugOf(warnings[0] ?? "")}`, `emitted a Node.js warning: ${warnings.join("; ")}`);
  const elapsed = performance.now() - started;
  if (elapsed > TIME_LIMIT_MS) throw new FuzzFailure("too-slow", `took ${Math.round(elapsed)} ms (limit ${TIME_LIMIT_MS} ms)`);
  return outcome;
}

function outcomeOf(text: string, dir: string): Outcome {
  let plan: Plan;
  let warnings: ConfigIssue[];
  try {
    const source = new ConfigSource(join(dir, FUZZ_FILE), FUZZ_FILE, text);
    const loaded = parseConfig(source, { env: fuzzEnv() });
    warnings = loaded.warnings;
    const services = selectServices(loaded.config);
    const instances = 2;
    const ports = new Map(portRequests(services, instances).map((request, index) => [request.key, request.preferred ?? 20_000 + index]));
    plan = buildPlan(loaded.config, services, instances, ports);
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    if (!(error instanceof ConfigError)) {
      const name = error instanceof Error ? error.name : typeof error;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new FuzzFailure(`crash-${slugOf(name)}-${slugOf(error instanceof Error ? error.message : "")}`, `threw ${message}`);
    }
    if (error.issues.length === 0) throw new FuzzFailure("error-without-issue", "a ConfigError with no issue");
    for (const issue of error.issues) checkIssue(issue, text, "error");
    const firstLine = error.message.split("\n")[0] ?? "";
    if (firstLine !== formatIssue(error.issues[0] as ConfigIssue).split("\n")[0]) throw new FuzzFailure("message-not-first-issue", `message: ${error.message}`);
    return { kind: "config-error", firstLine, issues: error.issues };
  }
  for (const issue of warnings) checkIssue(issue, text, "warning");
  checkPlan(plan);
  return { kind: "plan", plan, warnings };
}

/** One issue: one line, `FILE:LINE:COL: ` first, the position inside the document. */
function checkIssue(issue: ConfigIssue, text: string, what: string): void {
  const lines = text.split("\n");
  const shown = JSON.stringify(formatIssue(issue));
  if (issue.file !== FUZZ_FILE) throw new FuzzFailure(`${what}-wrong-file`, `${what} names file ${issue.file}: ${shown}`);
  if (!Number.isInteger(issue.line) || issue.line < 1 || issue.line > lines.length) {
    throw new FuzzFailure(`${what}-line-outside-document`, `${what} at line ${issue.line} of ${lines.length}: ${shown}`);
  }
  const lineLength = lines[issue.line - 1]?.length ?? 0;
  if (!Number.isInteger(issue.col) || issue.col < 1 || issue.col > lineLength + 1) {
    throw new FuzzFailure(`${what}-column-outside-line`, `${what} at column ${issue.col} of a line of ${lineLength} characters: ${shown}`);
  }
  if (/[\r\n]/.test(issue.message) || /[\r\n]/.test(issue.path)) throw new FuzzFailure(`${what}-message-over-several-lines`, `${what}: ${shown}`);
  if (issue.hint !== undefined && /[\r\n]/.test(issue.hint)) throw new FuzzFailure(`${what}-hint-over-several-lines`, `${what}: ${shown}`);
  if (/\[native code\]|\[object Object\]/.test(issue.message)) throw new FuzzFailure(`${what}-quotes-an-object`, `${what}: ${shown}`);
  if (!issue.message.trim()) throw new FuzzFailure(`${what}-empty-message`, `${what}: ${shown}`);
  const first = formatIssue(issue).split("\n")[0] ?? "";
  if (!first.startsWith(`${FUZZ_FILE}:${issue.line}:${issue.col}: `)) throw new FuzzFailure(`${what}-not-file-line-col`, `${what}: ${shown}`);
}

/** A plan the supervisor can run: every duration fits a timer and reads well, every check can be retried. */
function checkPlan(plan: Plan): void {
  const text = JSON.stringify(plan.services);
  // What a function or an object becomes in a string: a template resolved to something the config never held.
  const leaked = /\[native code\]|\[object Object\]/.exec(text);
  if (leaked) throw new FuzzFailure("plan-holds-an-object-as-text", `the plan holds "${leaked[0]}": ${text.slice(0, 300)}`);
  for (const service of plan.services) {
    const durations: Array<[string, number]> = [
      ["health.interval", service.health.intervalMs],
      ["health.timeout", service.health.timeoutMs],
      ["stop_timeout", service.stopTimeoutMs],
      ["restart.delay", service.restart.delayMs],
      ["restart.max_delay", service.restart.maxDelayMs],
    ];
    for (const [key, ms] of durations) {
      if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIMER_MS)
        throw new FuzzFailure(`plan-${slugOf(key)}-out-of-timer-range`, `${service.id} ${key} is ${ms} ms`);
      const text = formatDuration(ms);
      if (!/^(\d+ms|\d+(\.\d)?s|\d+m( \d+s)?|\d+h \d+m)$/.test(text) || /(^|\D)60[sm]/.test(text)) {
        throw new FuzzFailure("format-duration-odd-text", `${service.id} ${key}: formatDuration(${ms}) = "${text}"`);
      }
    }
    if (service.health.intervalMs < 1)
      throw new FuzzFailure("plan-health-interval-zero", `${service.id} checks its health every ${service.health.intervalMs} ms`);
    if (!Number.isInteger(service.restart.maxRestarts) || service.restart.maxRestarts < 0) {
      throw new FuzzFailure("plan-max-restarts-invalid", `${service.id} max_restarts is ${service.restart.maxRestarts}`);
    }
  }
}

function slugOf(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .split("-")
      .slice(0, 5)
      .join("-") || "unknown"
  );
}
