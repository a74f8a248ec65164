// `portmate down`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { downCli } from "../commands/down.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [downCli] });
