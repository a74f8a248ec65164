import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import type { CliIO } from "../ui/terminal.js";
import { ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** `portmate mcp`. */
export function mcpCli(io: CliIO): Command {
  const command = new Command("mcp")
    .summary("serve portmate's tools to a coding agent (Model Context Protocol, stdio)")
    .description(
      "Serve portmate's tools over the Model Context Protocol on stdin and stdout, for a coding agent that starts it: list the running services with their ports and URLs, read their logs, start, stop and restart them, up and down a project, get a port or the environment, tell who holds a port. Each tool answers with the JSON the matching command prints with --json.",
    );
  helpExtras(
    command,
    {
      notes: [
        'Add it to the agent\'s MCP config: {"mcpServers":{"portmate":{"command":"npx","args":["portmate","mcp"]}}}',
        "Tools: list_services, read_logs, up, down, start_services, stop_services, restart_services, get_port, get_env, who_holds_port. A tool's project defaults to the one of the folder the server runs in.",
        "stdout carries the protocol alone; warnings go to stderr.",
      ],
      exitCodes: [[ExitCode.ok, "the client closed the connection"], INTERNAL_EXIT],
      examples: [
        ["portmate mcp", "serve the tools on stdin and stdout (the agent starts it)"],
        ["claude mcp add portmate -- npx portmate mcp", "add it to Claude Code"],
      ],
    },
    io,
  );
  return command.action(async () => {
    // Loaded here, not above: the whole CLI's bundle (help, completion) holds this command, not the MCP SDK.
    const { serveMcp } = await import("../../mcp/server.js");
    await serveMcp((line) => io.stderr.write(`${line}\n`));
    throw new ExitRequest(ExitCode.ok);
  });
}
