// How a known server is told its port: the flag it takes, or the variable it reads. Anything else is expected
// to read PORT, which portmate sets for every service.

/** A command line with its port wired to portmate's. */
export interface PortedCommand {
  command: string;
  env?: Record<string, string>;
  /** The port the source gave it, kept as the preferred one. */
  preferred?: number;
  /** The known server it runs (`vite`, `uvicorn`…), when one was recognised. */
  server?: string;
  /** It listens on a port: it took one, or runs a known server. */
  listens: boolean;
  /** What was guessed, for the comment beside the command; undefined when nothing was. */
  guess?: string;
}

interface KnownServer {
  name: string;
  pattern: RegExp;
  /** Arguments that give it the port, appended to its command line. */
  args?: string;
  /** Or the variables that give it the port. */
  env?: Record<string, string>;
  /** A page is served at `/` (a front end, not an API): worth an HTTP health check. */
  page?: boolean;
}

export const KNOWN_SERVERS: readonly KnownServer[] = [
  { name: "vite", pattern: /\bvite(?=\s|$)(?!\s+build)/, args: "--host ${host} --port ${port} --strictPort", page: true },
  { name: "next", pattern: /\bnext(?:\s+(?:dev|start))?(?=\s|$)(?!\s+build)/, args: "-p ${port}", page: true },
  { name: "nuxt", pattern: /\bnuxi?\s+dev\b/, args: "--port ${port}", page: true },
  { name: "astro", pattern: /\bastro\s+dev\b/, args: "--port ${port}", page: true },
  { name: "uvicorn", pattern: /\buvicorn\b/, args: "--host ${host} --port ${port}" },
  { name: "gunicorn", pattern: /\bgunicorn\b/, args: "--bind ${host}:${port}" },
  { name: "flask", pattern: /\bflask\b.*\brun\b/, args: "--port ${port}" },
  { name: "django", pattern: /\bmanage\.py\s+runserver\b/, args: "${host}:${port}", page: true },
  { name: "rails", pattern: /\brails\s+(server|s)\b/, args: "-p ${port}", page: true },
  { name: "streamlit", pattern: /\bstreamlit\s+run\b/, args: "--server.port ${port} --server.headless true", page: true },
  { name: "http.server", pattern: /\bhttp\.server\b/, args: "${port}", page: true },
  { name: "gradio", pattern: /\bgradio\b/, env: { GRADIO_SERVER_PORT: "${port}" }, page: true },
];

/** The known server a command line runs, if any. */
export function knownServer(line: string): KnownServer | undefined {
  return KNOWN_SERVERS.find((server) => server.pattern.test(line));
}

/** `$PORT`, `${PORT}` and `${PORT:-3000}` as the shell and compose write them. */
const PORT_VARIABLE = /\$(?:\{PORT(?::?-(\d+))?\}|PORT\b)/g;
/** A port number after a flag that takes one, or after a host (`0.0.0.0:8000`). */
const PORT_NUMBER = /((?:--port|--server\.port|-p|--bind|-b)[= ]|runserver\s+)((?:[\w.-]+:)?)(\d{2,5})\b/;
const LOCAL_HOSTS = ["0.0.0.0:", "127.0.0.1:", "localhost:", "[::]:"];

/**
 * `line` with its port wired: `$PORT` becomes `${port}`, a port number after `--port` (or `-p`, `--bind HOST:`,
 * `runserver HOST:`) becomes `${port}` and the preferred port, and a known server that was given no port gets the
 * flag or variable it takes. `forward` places arguments for the server (`npm run dev -- …` for a script).
 */
export function withPort(given: string, forward?: (args: string) => string): PortedCommand {
  // Listening on every interface is what a container needs; here loopback is enough (`${host}`).
  const line = given.replace(/(--host[= ]|-H )0\.0\.0\.0\b/, "$1${host}");
  const append = forward ?? ((args: string) => `${line} ${args}`);
  const server = knownServer(line);
  const known = server ? { server: server.name } : {};
  let preferred: number | undefined;
  const wired = line.replace(PORT_VARIABLE, (_match, fallback: string | undefined) => {
    if (fallback) preferred = Number(fallback);
    return "${port}";
  });
  if (wired !== line) return { command: wired, listens: true, ...known, ...(preferred ? { preferred } : {}) };
  const number = PORT_NUMBER.exec(line);
  if (number) {
    const [whole, flag, host, port] = number as unknown as [string, string, string, string];
    const hostPart = LOCAL_HOSTS.includes(host) ? "${host}:" : host;
    const command = line.replace(whole, `${flag}${hostPart}\${port}`);
    return { command, listens: true, preferred: Number(port), ...known, guess: `was port ${port}; portmate now chooses it (${port} when free)` };
  }
  if (server?.args) {
    // A host it was given already stays.
    const args = /--host\b/.test(line) ? server.args.replace("--host ${host} ", "") : server.args;
    return { command: append(args), listens: true, ...known, guess: `${server.name} takes its port as ${args}` };
  }
  if (server?.env)
    return { command: line, env: server.env, listens: true, ...known, guess: `${server.name} reads its port from ${Object.keys(server.env).join(", ")}` };
  return { command: line, listens: false };
}

/** Whether the server serves a page at `/`, so an HTTP check of `/` is a fair guess. */
export function servesPage(server: string | undefined): boolean {
  return KNOWN_SERVERS.some((known) => known.name === server && known.page === true);
}
