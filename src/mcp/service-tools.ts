import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { readServiceLogs, SINCE_EXPECTED, sinceTime } from "../operations/read-service-logs.js";
import { restartServices } from "../operations/restart-services.js";
import { startServices } from "../operations/start-services.js";
import { stopServices } from "../operations/stop-services.js";
import { answer } from "./tool-result.js";
import { instance, project, projectOf, services, timeoutSeconds } from "./arguments.js";

/** Lines of logs a tool gives when it is not told how many: enough to see what happened, few enough to read. */
const DEFAULT_TAIL = 100;

/** Single services of a running stack: their output, stopping, starting and restarting them. */
export function registerServiceTools(server: McpServer): void {
  server.registerTool(
    "read_logs",
    {
      title: "Read services' logs",
      description: `What the services printed, interleaved in the order it was printed, with portmate's own lines (restarts, exits, a config applied) as service "portmate". Logs are kept after down, until the project's next up. Returns an array of {service, at, text}, as \`portmate logs --json\`.`,
      inputSchema: {
        project,
        services: services.describe('Only these services ("portmate" for portmate\'s own lines); default: every one'),
        instance: instance.describe("Only this instance; default: every one"),
        tail: z.number().int().min(0).optional().describe(`The last lines of each service (after since and grep); default: ${DEFAULT_TAIL}`),
        since: z.string().optional().describe("Only lines since then: a duration ago (`5m`, `1h30m`) or a time (`2026-12-05T10:00:00Z`)"),
        grep: z.string().optional().describe("Only lines this regular expression (JavaScript syntax) matches, such as `error|warn`"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answer(async (args) => {
      const since = args.since === undefined ? undefined : sinceTime(args.since);
      if (args.since !== undefined && !since) throw new UsageError(`since ${SINCE_EXPECTED}, got \`${args.since}\``);
      return readServiceLogs({
        project: await projectOf(args.project),
        tail: args.tail ?? DEFAULT_TAIL,
        ...(args.services === undefined ? {} : { services: args.services }),
        ...(args.instance === undefined ? {} : { instance: args.instance }),
        ...(since === undefined ? {} : { since }),
        ...(args.grep === undefined ? {} : { grep: args.grep }),
      });
    }),
  );

  server.registerTool(
    "stop_services",
    {
      title: "Stop services",
      description:
        "Stop services of a running stack, dependents first; the rest keeps running, and each stopped service keeps its ports, so start_services brings it back on the same ones. Returns {project, instance, stopped, notRunning, leftRunning} (leftRunning: services that depend on a stopped one and kept running).",
      inputSchema: {
        project,
        services: z.array(z.string()).min(1).describe("The services to stop"),
        with_dependents: z.boolean().optional().describe("Also stop the services that depend on them; default: false, they keep running"),
        instance,
        timeout_seconds: timeoutSeconds,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    answer(async (args) =>
      stopServices({
        project: await projectOf(args.project),
        instance: args.instance ?? 1,
        services: args.services,
        withDependents: args.with_dependents ?? false,
        timeoutMs: args.timeout_seconds === undefined ? null : args.timeout_seconds * 1000,
      }),
    ),
  );

  server.registerTool(
    "start_services",
    {
      title: "Start stopped services",
      description:
        "Start services of a running stack that are not running (stopped, exited, or given up on by their restart policy) on the ports they had, with the stopped services they depend on first; each healthy before the next. Returns {project, instance, started: [{service, ports}], alreadyRunning}. To start a project that is not running, use up.",
      inputSchema: { project, services: services.describe("The services to start; default: every one that is not running"), instance },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    answer(async (args) => startServices({ project: await projectOf(args.project), instance: args.instance ?? 1, services: args.services ?? [] })),
  );

  server.registerTool(
    "restart_services",
    {
      title: "Restart services",
      description:
        "Restart services of a running stack, each healthy before the next (without names: every one, dependencies first). With new_port, each named service moves to a newly allocated port and the services that refer to it are restarted too, so they point at the new port. Returns an array of {service, moved: [{name, from, to}], restarted}.",
      inputSchema: {
        project,
        services: services.describe("The services to restart; default: every one (not with new_port)"),
        new_port: z.boolean().optional().describe("Move them to new ports (name the services); default: false, each keeps its port"),
        instance,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    answer(async (args) =>
      restartServices({ project: await projectOf(args.project), instance: args.instance ?? 1, services: args.services ?? [], newPort: args.new_port ?? false }),
    ),
  );
}
