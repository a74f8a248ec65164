import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { serviceEnv } from "../operations/service-env.js";
import { servicePort } from "../operations/service-port.js";
import { whoHolds } from "../operations/who-holds.js";
import { answer } from "./tool-result.js";
import { instance, project, projectOf } from "./arguments.js";

/** What a running stack tells: a service's port, the variables it was given, who holds a port. */
export function registerLookupTools(server: McpServer): void {
  server.registerTool(
    "get_port",
    {
      title: "Get a service's port",
      description:
        "The port a running service got (its primary one, or a named one) and its URLs. Returns {project, instance, service, name, port, url, named_url}, as `portmate port --json`.",
      inputSchema: {
        project,
        service: z.string().describe("The service"),
        name: z.string().optional().describe("A named port of the service (its `ports:` in portmate.yaml); default: its primary port"),
        instance,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answer(async (args) =>
      servicePort({
        project: await projectOf(args.project),
        instance: args.instance ?? 1,
        service: args.service,
        ...(args.name === undefined ? {} : { name: args.name }),
      }),
    ),
  );

  server.registerTool(
    "get_env",
    {
      title: "Get environment variables",
      description:
        "Environment variables of a running stack, by name: without a service, where every service is (PORTMATE_PROJECT, <SVC>_PORT, <SVC>_URL, <SVC>_NAMED_URL); with one, every variable portmate gave that service. As `portmate env --json`.",
      inputSchema: {
        project,
        service: z.string().optional().describe("Every variable this service was started with; default: every service's ports and URLs"),
        instance,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answer(async (args) =>
      serviceEnv({ project: await projectOf(args.project), instance: args.instance ?? 1, ...(args.service === undefined ? {} : { service: args.service }) }),
    ),
  );

  server.registerTool(
    "who_holds_port",
    {
      title: "Who holds a port",
      description:
        "Which process listens on a port of this machine (pid, command line, user, since when, addresses) and which portmate project and service it belongs to, or that portmate reserved it for a service about to start. Returns {port, lookup: {holders, hidden, method}, stacks, reservedBy?}, as `portmate who --json`; holders and hidden both empty: nothing listens.",
      inputSchema: { port: z.number().int().min(1).max(65535).describe("The port") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answer((args) => whoHolds({ port: args.port })),
  );
}
