// `portmate dashboard`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { dashboardCli } from "../commands/dashboard.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [dashboardCli] });
