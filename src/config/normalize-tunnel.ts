import { resolve } from "node:path";
import type { NormalizeContext } from "./normalize-values.js";
import { duration, normalizeCommand } from "./normalize-values.js";
import type { ConfigPath } from "./source.js";
import { DEFAULT_TUNNEL_TIMEOUT_MS, type PortRequestConfig, type RawTunnel, type TunnelConfig, type TunnelProviderConfig } from "./types.js";

/** The keys of `tunnel:` that belong to one provider only. */
const PROVIDER_KEYS = {
  ssh: ["host", "user", "port", "remote_port", "url", "identity", "args"],
  ngrok: ["domain"],
  command: ["command", "url_pattern"],
} as const satisfies Record<TunnelProviderConfig["provider"], ReadonlyArray<keyof RawTunnel>>;

type Provider = keyof typeof PROVIDER_KEYS;

/**
 * `tunnel:` → TunnelConfig. The schema has checked each key's form; this checks that the keys fit the provider
 * and the service (a port to forward), adding an issue for every problem. Undefined when there is no tunnel.
 */
export function normalizeTunnel(
  raw: "ngrok" | RawTunnel | undefined,
  ports: readonly PortRequestConfig[],
  ctx: NormalizeContext,
  at: ConfigPath,
): TunnelConfig | undefined {
  if (raw === undefined) return undefined;
  const tunnel: RawTunnel = raw === "ngrok" ? { provider: "ngrok" } : raw;
  const provider: Provider | undefined = tunnel.provider ?? (tunnel.command !== undefined ? "command" : undefined);
  if (provider === undefined) {
    ctx.issues.push(
      ctx.source.issue(at, "says neither which provider (`provider: ssh` or `provider: ngrok`) nor which `command` opens the tunnel", {
        hint: "for example `tunnel: {provider: ssh, host: example.com}`, `tunnel: ngrok`, or `tunnel: {command: …, url_pattern: …}`",
      }),
    );
    return undefined;
  }
  const before = ctx.issues.length;
  for (const [other, keys] of Object.entries(PROVIDER_KEYS)) {
    if (other === provider) continue;
    for (const key of keys) {
      if (tunnel[key] === undefined) continue;
      ctx.issues.push(ctx.source.issue([...at, key], `\`${key}\` is for ${other} tunnels, and this one is ${provider}`, { at: "key" }));
    }
  }
  const target = targetPort(tunnel.target, ports, ctx, at);
  const details = providerConfig(provider, tunnel, ctx, at);
  if (!details || target === undefined || ctx.issues.length > before) return undefined;
  const config: TunnelConfig = {
    ...details,
    target,
    required: tunnel.required === true,
    enabled: tunnel.enabled !== false,
    timeoutMs: duration(tunnel.timeout, DEFAULT_TUNNEL_TIMEOUT_MS, ctx, [...at, "timeout"], { min: 1, hint: "give the tunnel time to open, such as `30s`" }),
  };
  if (tunnel.verify !== undefined) config.verify = tunnel.verify === false ? null : tunnel.verify;
  return config;
}

/** The name of the port the tunnel forwards: `target`, or the primary port. */
function targetPort(target: string | undefined, ports: readonly PortRequestConfig[], ctx: NormalizeContext, at: ConfigPath): string | undefined {
  if (target === undefined) {
    const primary = ports[0]?.name;
    if (primary === undefined) ctx.issues.push(ctx.source.issue(at, "a tunnel needs a port to forward, but the service has `port: none`", { at: "key" }));
    return primary;
  }
  if (ports.some((port) => port.name === target)) return target;
  const names = ports.map((port) => port.name).join(", ") || "none";
  ctx.issues.push(ctx.source.issue([...at, "target"], `the service has no port named "${target}" (its ports: ${names})`));
  return undefined;
}

function providerConfig(provider: Provider, tunnel: RawTunnel, ctx: NormalizeContext, at: ConfigPath): TunnelProviderConfig | undefined {
  switch (provider) {
    case "ssh": {
      if (tunnel.host === undefined) {
        ctx.issues.push(
          ctx.source.issue(at, "an ssh tunnel needs the `host` whose port is made public", { hint: "for example `{provider: ssh, host: example.com}`" }),
        );
        return undefined;
      }
      const config: TunnelProviderConfig = { provider, host: tunnel.host, remotePort: tunnel.remote_port ?? 0, args: (tunnel.args ?? []).map(String) };
      if (tunnel.user !== undefined) config.user = tunnel.user;
      if (tunnel.port !== undefined) config.sshPort = tunnel.port;
      if (tunnel.identity !== undefined) config.identity = resolve(ctx.dir, tunnel.identity);
      if (tunnel.url !== undefined) {
        const others = urlTemplates(tunnel.url).filter((name) => name !== "remote_port");
        if (others.length) {
          ctx.issues.push(ctx.source.issue([...at, "url"], `only \`\${remote_port}\` is filled in here, not \`\${${others[0]}}\``));
        }
        config.url = tunnel.url;
      }
      return config;
    }
    case "ngrok":
      return tunnel.domain === undefined ? { provider } : { provider, domain: tunnel.domain };
    case "command": {
      if (tunnel.command === undefined || tunnel.url_pattern === undefined) {
        const missing = tunnel.command === undefined ? "command" : "url_pattern";
        ctx.issues.push(
          ctx.source.issue(at, `a command tunnel needs \`${missing}\``, {
            hint: "`command` runs the tunnel program, `url_pattern` finds the public URL in what it prints",
          }),
        );
        return undefined;
      }
      let urlPattern: RegExp;
      try {
        urlPattern = new RegExp(tunnel.url_pattern);
      } catch (error) {
        ctx.issues.push(ctx.source.issue([...at, "url_pattern"], `is not a valid regular expression: ${(error as Error).message}`));
        return undefined;
      }
      return { provider, command: normalizeCommand(tunnel.command, false, ctx, [...at, "command"]), urlPattern };
    }
  }
}

/** The names in the `${…}` of a text: `remote_port` for `${remote_port}`. */
function urlTemplates(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1] ?? "");
}
