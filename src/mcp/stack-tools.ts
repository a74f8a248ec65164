import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { MAX_INSTANCES } from "../plan/limits.js";
import { downProject } from "../operations/down-project.js";
import { listServices } from "../operations/list-services.js";
import { upDetached } from "../operations/up-detached.js";
import { answer } from "./tool-result.js";
import { instance, project, projectOf, services, timeoutSeconds } from "./arguments.js";

/** The stacks as a whole: what runs, starting a project in the background, stopping it. */
export function registerStackTools(server: McpServer, log: (line: string) => void): void {
  server.registerTool(
    "list_services",
    {
      title: "List running services",
      description:
        "The services of the running portmate stacks on this machine (or of one project): per service its project, instance, pid, port and named ports, status (starting, healthy, unhealthy, restarting, exited (CODE), stopping, stopped, stale), URL, name through the local proxy, public tunnel URL, start time and the ports it really listens on. The same JSON as `portmate ps --json`.",
      inputSchema: { project: z.string().optional().describe("Only this project's services; default: every running stack on this machine") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answer(({ project }) => listServices({ ...(project === undefined ? {} : { project }), warn: log })),
  );

  server.registerTool(
    "up",
    {
      title: "Start a project in the background",
      description:
        "Start a project's services from its portmate.yaml on free ports, in dependency order, and return once every one is healthy; they keep running in the background until `down`. A project that runs already gets its config applied instead (what changed restarts, the rest is left alone). Returns {project, instances, services (as list_services), changes}. On failure nothing is left running, and the error says which service failed and its last lines.",
      inputSchema: {
        config: z
          .string()
          .optional()
          .describe(
            "The project's portmate.yaml (read alone), or its folder (its portmate.yaml, with the portmate.override.yaml beside it when there is one; an absolute path is safest); default: the folder this server runs in, or the nearest one above with a portmate.yaml",
          ),
        project_name: z.string().optional().describe("Run it under this project name instead of its own (a second copy beside the first)"),
        services: services.describe("Start only these services, and what they depend on; default: every service that is not disabled"),
        profiles: z
          .array(z.string())
          .optional()
          .describe("Also start the services with one of these `profiles:` (as `up --profile`); default: PORTMATE_PROFILES of this server"),
        instances: z
          .number()
          .int()
          .min(1)
          .max(MAX_INSTANCES)
          .optional()
          .describe("Run this many copies of the stack side by side, each on its own ports; default: 1"),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    answer((args) =>
      upDetached({
        ...(args.config === undefined ? {} : { config: args.config }),
        ...(args.project_name === undefined ? {} : { projectName: args.project_name }),
        services: args.services ?? [],
        ...(args.profiles === undefined ? {} : { profiles: args.profiles }),
        instances: args.instances ?? 1,
        on: { note: log, warn: log, planned: (planned) => planned.warnings.forEach(log) },
      }),
    ),
  );

  server.registerTool(
    "down",
    {
      title: "Stop a project",
      description:
        "Stop a project's stacks (every instance, or one), even when their supervisor died, and return once every process is gone and every port closed. Returns {stopped: [{project, instance, stale}]}; empty when nothing ran.",
      inputSchema: { project, instance: instance.describe("Only this instance; default: every one"), timeout_seconds: timeoutSeconds },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    answer(async (args) =>
      downProject({
        project: await projectOf(args.project),
        ...(args.instance === undefined ? {} : { instance: args.instance }),
        ...(args.timeout_seconds === undefined ? {} : { timeoutMs: args.timeout_seconds * 1000 }),
        warn: log,
      }),
    ),
  );
}
