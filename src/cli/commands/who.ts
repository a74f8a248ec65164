import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";
import { isHeld, whoHolds, type WhoJson } from "../../operations/who-holds.js";

/** `portmate who`. */
export function whoCli(io: CliIO): Command {
  const command = new Command("who")
    .summary("tell which process holds a port")
    .description("Tell which process holds a port (pid, command, user, since when) and which portmate stack it belongs to.")
    .argument("<port>", "the port", count(1, 65535))
    .option("--json", "print JSON");
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "something holds (or portmate reserved) the port"],
        [ExitCode.serviceFailed, "nothing does"],
        [ExitCode.usage, "not a port"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate who 8000", "pid, command, user, start time, and the portmate project and service"],
        ["portmate who 8000 --json", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (port: number, options: { json?: boolean }) => {
    throw new ExitRequest(await whoCommand({ port, json: options.json === true }, io));
  });
}

export interface WhoCommandOptions {
  port: number;
  json: boolean;
}

/**
 * `portmate who PORT`: which processes hold a port (pid, command, user, since when, addresses) and the portmate
 * stack it belongs to, if any. Exit 0 when something holds or reserved it, 1 when nothing does.
 */
export async function whoCommand(options: WhoCommandOptions, io: CliIO): Promise<number> {
  const who = await whoHolds({ port: options.port });
  io.stdout.write(options.json ? `${JSON.stringify(who, null, 2)}\n` : describe(who));
  return isHeld(who) ? ExitCode.ok : ExitCode.serviceFailed;
}

function describe({ port, lookup, stacks, reservedBy }: WhoJson): string {
  const lines: string[] = [];
  for (const holder of lookup.holders) {
    lines.push(`port ${port}: pid ${holder.pid}${holder.command ? ` ${holder.command}` : ""}`);
    const facts = [
      holder.user ?? (holder.uid === undefined ? undefined : `uid ${holder.uid}`),
      holder.startedAt ? `since ${formatTime(holder.startedAt)}` : undefined,
      holder.addresses.length ? `listening on ${holder.addresses.join(", ")}` : undefined,
    ].filter(Boolean);
    if (facts.length) lines.push(`  ${facts.join(" · ")}`);
  }
  for (const hidden of lookup.hidden) {
    lines.push(
      `port ${port}: a process of another user (uid ${hidden.uid}${hidden.user ? `, ${hidden.user}` : ""}) listening on ${hidden.address}; which one cannot be known without that user's rights (try sudo)`,
    );
  }
  for (const stack of stacks) {
    lines.push(
      `  portmate: ${stack.id} of project ${stack.project}${stack.instance === 1 ? "" : ` (instance ${stack.instance})`}${stack.alive ? "" : " (stale: its supervisor died)"}${stack.notItsPort ? `, though it is not its port: it ignores the one it was given (\`portmate ps\` shows it)` : ""}`,
    );
  }
  if (reservedBy && stacks.length === 0)
    lines.push(`  portmate: reserved by project ${reservedBy.project} (pid ${reservedBy.pid}), for a service about to start`);
  if (lines.length === 0 || (lookup.holders.length === 0 && lookup.hidden.length === 0)) {
    if (lookup.method === "none") lines.unshift(`port ${port}: cannot tell who holds it on this system (install lsof)`);
    else lines.unshift(`port ${port}: nothing listens on it`);
  }
  return `${lines.join("\n")}\n`;
}

/** `2026-11-23 16:05:03`, in local time: when a process started. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
