// `portmate mcp`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { mcpCli } from "../commands/mcp.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [mcpCli] });
