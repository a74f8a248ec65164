/** Exit codes of the `portmate` command, one place for all of them (spec §4). */
export const ExitCode = {
  ok: 0,
  serviceFailed: 1,
  usage: 2,
  noPorts: 3,
  /** `portmate run`: the command was found but could not be started (not executable, no such folder), as shells say. */
  cannotRun: 126,
  /** `portmate run`: no such command, as shells say. */
  commandNotFound: 127,
  /** A bug in portmate (sysexits' EX_SOFTWARE): the stack was stopped, the error said in one line. */
  internal: 70,
} as const;

/** Base of every error portmate raises on purpose; `exitCode` is what the CLI exits with. */
export class PortmateError extends Error {
  readonly exitCode: number;
  /** Extra lines shown under the message (a hint, the last lines of a service's output…). */
  readonly details: readonly string[];

  constructor(message: string, exitCode: number, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Where a config problem is, as a person reads it: `file:line:col`. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a config file. */
export interface ConfigIssue extends SourceLocation {
  /** Dotted path of the key, such as `services.ui.depends_on`. */
  path: string;
  message: string;
  hint?: string;
}

/** Formats an issue as the single line the spec asks for, plus its hint on the next line. */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const head = issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
  return issue.hint ? `${head}\n  hint: ${issue.hint}` : head;
}

/** The config is invalid; carries every problem found, not just the first. */
export class ConfigError extends PortmateError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const [first, ...rest] = issues.map(formatIssue);
    super(first ?? "invalid config", ExitCode.usage, rest);
    this.issues = issues;
  }
}

/** The command line asks for something that cannot be done (unknown service, bad flag value…). */
export class UsageError extends PortmateError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint ? [`hint: ${hint}`] : []);
  }
}

/** No port could be found for some service, not even one assigned by the OS. */
export class PortAllocationError extends PortmateError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.noPorts, details);
  }
}

/** A service exited or missed its health deadline while the stack was starting. */
export class ServiceFailedError extends PortmateError {
  /** Display id of the service, such as `backend` or `backend#2`. */
  readonly service: string;
  /** Its last lines of output, oldest first. */
  readonly lastLines: readonly string[];

  constructor(service: string, reason: string, lastLines: readonly string[]) {
    const details = lastLines.length
      ? [`last ${lastLines.length} line${lastLines.length === 1 ? "" : "s"} of ${service}:`, ...lastLines.map((line) => `  ${line}`)]
      : [`${service} printed nothing.`];
    super(`${service} ${reason}`, ExitCode.serviceFailed, details);
    this.service = service;
    this.lastLines = lastLines;
  }
}

/** The stack was stopped (Ctrl-C, `stack.down()`) before it finished starting. */
export class StopRequestedError extends PortmateError {
  constructor() {
    super("stopped before the stack was ready", ExitCode.ok);
  }
}
