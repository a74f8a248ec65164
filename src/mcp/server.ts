import type { Readable, Writable } from "node:stream";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { packageInfo } from "../util/package-root.js";
import { registerLookupTools } from "./lookup-tools.js";
import { registerServiceTools } from "./service-tools.js";
import { registerStackTools } from "./stack-tools.js";

/** portmate's tools over the Model Context Protocol; `log` takes what is worth telling besides the answers. */
export function portmateMcpServer(log: (line: string) => void): McpServer {
  const server = new McpServer(
    { name: "portmate", version: packageInfo().version },
    {
      instructions:
        "portmate runs a project's services (its portmate.yaml) on free ports, health-checked, in the background. list_services shows what runs, with ports and URLs; up starts a project, down stops it; read_logs shows what services printed; stop_services, start_services and restart_services act on single services; get_port, get_env and who_holds_port answer where things are.",
    },
  );
  registerStackTools(server, log);
  registerServiceTools(server);
  registerLookupTools(server);
  return server;
}

/**
 * Serves the tools on stdin and stdout until the client closes stdin (or the server is closed). stdout carries
 * the protocol alone: anything else, a warning included, goes to `log`.
 */
export async function serveMcp(log: (line: string) => void, stdin: Readable = process.stdin, stdout: Writable = process.stdout): Promise<void> {
  const server = portmateMcpServer(log);
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(transport);
  closeWhenAnswered(transport, stdin, () => void server.close());
  await closed;
}

/**
 * The SDK's transport does not notice a client that went away: stdin ending says it. Whatever the client asked
 * before is answered first, so that a stack it asked for is up or stopped, not cut off half started.
 */
function closeWhenAnswered(transport: Transport, stdin: Readable, close: () => void): void {
  const unanswered = new Set<string | number>();
  let ended = false;
  const closeIfDone = () => {
    if (ended && unanswered.size === 0) close();
  };
  const receive = transport.onmessage?.bind(transport);
  transport.onmessage = (message, extra) => {
    if ("method" in message && "id" in message) unanswered.add(message.id);
    receive?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    await send(message, options);
    if (("result" in message || "error" in message) && "id" in message && message.id !== undefined) unanswered.delete(message.id);
    closeIfDone();
  };
  const end = () => {
    ended = true;
    closeIfDone();
  };
  stdin.once("end", end);
  stdin.once("close", end);
}
