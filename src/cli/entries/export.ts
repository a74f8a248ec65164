// `portmate export`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { exportCli } from "../commands/export.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [exportCli] });
