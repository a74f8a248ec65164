import { type Command, InvalidArgumentError } from "commander";
import { ExitCode } from "../../errors.js";
import { formatHelpExtras, helpWidth, type HelpExtras } from "../ui/help-text.js";
import type { CliIO } from "../ui/terminal.js";

/** `-f/--file`, `-p/--project-name` and `--env-file`, before the command or after it. */
export interface GlobalOptions {
  /** `-f`, repeatable: the config files, merged in order (those before the command, then those after it). */
  file?: string[];
  projectName?: string;
  envFiles?: string[];
}

/** Thrown by an action to end the run with a code, after the action has printed what it had to. */
export class ExitRequest {
  constructor(readonly code: number) {}
}

/** The exit code every command may end with: a bug in portmate. */
export const INTERNAL_EXIT: [number, string] = [ExitCode.internal, "a bug in portmate (one line says so; PORTMATE_DEBUG=1 shows where)"];

/**
 * Lets a command take `-f/--file` and `-p/--project-name` after its name too (`portmate up -p demo2`), as
 * people type them; `shortFile: false` for a command whose `-f` means something else (`logs -f` follows).
 */
export function withProjectOptions(command: Command, { shortFile = true } = {}): Command {
  return command
    .option(shortFile ? "-f, --file <path>" : "--file <path>", "config file; repeatable, merged in order (also before the command)", collect)
    .option("-p, --project-name <name>", "project name (also before the command)")
    .option("--env-file <path>", "read `${VAR}` from this file instead of the .env beside the config; repeatable (also before the command)", collect);
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The global options as the command sees them: given after the command wins over given before it, but for
 * `-f`, where every file counts, in the order given.
 */
export function globals(command: Command): GlobalOptions {
  const { projectName, envFile } = command.optsWithGlobals<{ projectName?: string; envFile?: string[] }>();
  const chain: Command[] = [];
  for (let scope: Command | null = command; scope; scope = scope.parent) chain.unshift(scope);
  const given = chain.flatMap((scope) => scope.opts<{ file?: string[] | string }>().file ?? []);
  const file = given.length ? given : undefined;
  return {
    ...(file === undefined ? {} : { file }),
    ...(projectName === undefined ? {} : { projectName }),
    ...(envFile === undefined ? {} : { envFiles: envFile }),
  };
}

/** Adds notes, exit codes and examples after a command's options, wrapped to the terminal's width. */
export function helpExtras(command: Command, extras: HelpExtras, io: CliIO): Command {
  return command.addHelpText("after", (context) => formatHelpExtras(extras, helpWidth(context.error ? io.stderr : io.stdout)));
}

/** An option parser for whole numbers from `min` to `max`. */
export function count(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return number;
  };
}

/** Collects `--port SVC=PORT` (or `SVC.NAME=PORT`) options into one map. */
export function portOverride(value: string, previous: Record<string, number> | undefined): Record<string, number> {
  const match = /^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?)=(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match?.[1] || port < 1 || port > 65535) throw new InvalidArgumentError("must be SERVICE=PORT or SERVICE.NAME=PORT, with a port from 1 to 65535");
  return { ...previous, [match[1]]: port };
}
