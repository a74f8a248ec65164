import type { CommandConfig, TunnelConfig } from "../config/types.js";
import type { PlannedCommand, PlannedHealth, PlannedTunnel } from "./types.js";

/** The address tunnels forward to: services listen on loopback. */
const LOCAL = "127.0.0.1";

/**
 * ssh says which port the server opened: `Allocated port N` when the server chose it (remote port 0), and with
 * `-v` `remote forward success for: listen [ADDR:]N, connect …` when it was named.
 */
const SSH_OPENED = /Allocated port (\d+) for remote forward|remote forward success for: listen (?:[^,]*:)?([1-9]\d*), connect/;
/** ssh's own words, not its `-v` chatter. */
const SSH_WORDS = /^(?!debug\d: )(?!Warning: Permanently added)(?!Authenticated to )(.+)$/;
/** ngrok (`--log stdout --log-format logfmt`) says `msg="started tunnel" … url=https://…` once it is open. */
const NGROK_OPENED = /msg="started tunnel".*?\burl=(\S+)/;
/** ngrok reports failures as `err="…"`. */
const NGROK_WORDS = /\berr="((?:[^"\\]|\\.)+)"/;

/** What planning a tunnel needs from its service. */
export interface TunnelContext {
  /** The service's ports by name. */
  ports: Readonly<Record<string, number>>;
  /** Fills in the service's templates (`${port}`, `${services.x.url}`…). */
  render: (text: string) => string;
  /** The environment the service starts with (where NGROK_AUTHTOKEN is looked for). */
  env: Readonly<Record<string, string>>;
  health: PlannedHealth;
  planCommand: (command: CommandConfig) => PlannedCommand;
}

/** The tunnel program of one service of one instance, with its port filled in. */
export function planTunnel(tunnel: TunnelConfig, context: TunnelContext): PlannedTunnel {
  const port = context.ports[tunnel.target] ?? 0;
  const common = {
    port,
    verifyPath: verifyPath(tunnel, port, context),
    required: tunnel.required,
    timeoutMs: tunnel.timeoutMs,
  };
  switch (tunnel.provider) {
    case "ssh": {
      const destination = `${tunnel.user ? `${tunnel.user}@` : ""}${tunnel.host}`;
      const args = [
        "-N",
        "-T",
        "-v",
        // Fail instead of running on without the forward; never prompt (no one would answer); notice a dead link.
        ...["-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"],
        ...(tunnel.sshPort === undefined ? [] : ["-p", String(tunnel.sshPort)]),
        ...(tunnel.identity === undefined ? [] : ["-i", tunnel.identity, "-o", "IdentitiesOnly=yes"]),
        ...tunnel.args.map(context.render),
        "-R",
        `${tunnel.remotePort}:${LOCAL}:${port}`,
        destination,
      ];
      const host = tunnel.host.includes(":") ? `[${tunnel.host}]` : tunnel.host;
      return {
        provider: "ssh",
        ...common,
        command: { shell: false, file: "ssh", args },
        urlPattern: SSH_OPENED,
        url: tunnel.url === undefined ? `http://${host}:\${found}` : tunnel.url.replaceAll("${remote_port}", "${found}"),
        explain: SSH_WORDS,
        hint: "install OpenSSH's client (ssh)",
      };
    }
    case "ngrok": {
      const args = ["http", `${LOCAL}:${port}`, "--log", "stdout", "--log-format", "logfmt", ...(tunnel.domain ? ["--url", tunnel.domain] : [])];
      const planned: PlannedTunnel = {
        provider: "ngrok",
        ...common,
        command: { shell: false, file: "ngrok", args },
        urlPattern: NGROK_OPENED,
        explain: NGROK_WORDS,
        hint: "install the ngrok agent from https://ngrok.com/download, or open the tunnel with `tunnel: {command: …}`",
      };
      if (!context.env.NGROK_AUTHTOKEN) {
        planned.unavailable =
          "NGROK_AUTHTOKEN is not set: ngrok needs your authtoken (https://dashboard.ngrok.com/get-started/your-authtoken) in the environment or an env file";
      }
      return planned;
    }
    case "command":
      return { provider: "command", ...common, command: context.planCommand(tunnel.command), urlPattern: tunnel.urlPattern };
  }
}

/** The path the check requests: as configured, else the HTTP health check's path when it checks that port, else `/`. */
function verifyPath(tunnel: TunnelConfig, port: number, context: TunnelContext): string | null {
  if (tunnel.verify === null) return null;
  if (tunnel.verify !== undefined) return context.render(tunnel.verify);
  return context.health.kind === "http" && context.health.port === port ? context.health.path : "/";
}
