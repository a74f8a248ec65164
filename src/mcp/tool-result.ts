import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { PortmateError } from "../errors.js";
import { stateFolderError } from "../state/state-error.js";
import { stateDir } from "../state/paths.js";

// What a tool answers: the JSON the CLI's --json prints, or portmate's error message with its hints.

/**
 * The JSON as text (what a client shows its model), and as structured content as well when it is an object:
 * MCP's structured content is an object, never an array.
 */
export function jsonResult(value: unknown): CallToolResult {
  const text = JSON.stringify(value, null, 2);
  const structured = typeof value === "object" && value !== null && !Array.isArray(value);
  return { content: [{ type: "text", text }], ...(structured ? { structuredContent: value as Record<string, unknown> } : {}) };
}

/** An error as the CLI reports it: its message, then its details and hints, one a line. */
export function errorResult(error: unknown): CallToolResult {
  const known = error instanceof PortmateError ? error : stateFolderError(error, stateDir());
  const text = known ? [known.message, ...known.details].join("\n") : `portmate failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
  return { content: [{ type: "text", text }], isError: true };
}

/** A tool's handler that answers with what `run` returns, or with the error it throws. */
export function answer<Args>(run: (args: Args) => unknown): (args: Args) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return jsonResult(await run(args));
    } catch (error) {
      return errorResult(error);
    }
  };
}
