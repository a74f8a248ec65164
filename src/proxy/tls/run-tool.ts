import { childProcess } from "../../util/child-process.js";

/** How a program ended: its exit code and what it printed. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; rejects only when it cannot be started (`code` ENOENT when it is not installed). */
export type RunTool = (file: string, args: readonly string[]) => Promise<ToolResult>;

/** The real one: no shell, 30 s at most (certutil and security can wait on a locked database or a prompt). */
export const runTool: RunTool = (file, args) =>
  new Promise((resolve, reject) => {
    childProcess().execFile(file, args, { timeout: 30_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof error.code === "string") reject(error);
      else resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
