// portmate's dashboard page: every stack of the user, live, from one stream of server-sent events
// (`/api/events`): `stacks` (every stack as its record says, on each change), `backlog` (the last lines of
// every service, once), `logs` (new lines). Actions are POSTs to `/api/actions` with the user's token, which the
// URL `portmate dashboard` opens carries once, in its fragment. Plain ES module: no build step.
import { AnsiUp } from "./ansi_up.js";

const TOKEN_KEY = "portmate-dashboard-token";
const MAX_LINES = 5000;
const PALETTE = ["#58a6ff", "#3fb950", "#d29922", "#f778ba", "#a371f7", "#39c5cf", "#ff7b72", "#e3b341"];

const $ = (id) => document.getElementById(id);
const ansi = new AnsiUp();
ansi.use_classes = false;

/** The token, taken from the fragment (then removed from the address bar and history) or kept from before. */
const token = (() => {
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) {
    localStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem(TOKEN_KEY) ?? "";
})();

const state = {
  stacks: [],
  authorized: false,
  /** Actions under way, by `project@instance/service`: their buttons wait, their status says so. */
  pending: new Map(),
  paused: false,
  held: [],
  colours: new Map(),
  failureAt: -1,
};

// ---- helpers ----------------------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

function colourOf(key) {
  if (!state.colours.has(key)) state.colours.set(key, PALETTE[state.colours.size % PALETTE.length]);
  return state.colours.get(key);
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

function toast(text, tone = "info", ms = 6000) {
  const node = el("div", { class: "toast", role: "status", dataset: { tone } }, text);
  $("toasts").append(node);
  setTimeout(() => node.remove(), ms);
  return node;
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), "x-portmate-token": token } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), { details: body.details ?? [] });
  return body;
}

// ---- stacks -----------------------------------------------------------------------------------------------

const RUNNING = new Set(["starting", "healthy", "unhealthy", "stopping", "restarting", "pending"]);

function tone(status) {
  if (status === "healthy") return "ok";
  if (["starting", "pending", "restarting", "stopping"].includes(status)) return "busy";
  if (["stopped", "skipped"].includes(status)) return "idle";
  return "bad";
}

function statusText(service, pending) {
  if (pending === "restart" || pending === "restart-new-port")
    return service.status === "healthy" ? "restarting" : service.status === "starting" ? "restarting" : service.status;
  if (service.status === "exited" || service.status === "failed") return service.exitCode === null ? service.status : `exited (${service.exitCode})`;
  return service.status;
}

function renderStacks() {
  const section = $("stacks");
  if (state.stacks.length === 0) {
    section.replaceChildren(el("p", { class: "empty" }, "No stack is running. ", el("code", {}, "portmate up"), " starts one; it shows here at once."));
    return;
  }
  const projects = new Map();
  for (const stack of state.stacks) {
    if (!projects.has(stack.project)) projects.set(stack.project, []);
    projects.get(stack.project).push(stack);
  }
  section.replaceChildren(
    ...[...projects].map(([project, stacks]) =>
      el("article", { class: "project", dataset: { project } }, ...stacks.map((stack) => renderInstance(project, stack))),
    ),
  );
  tick();
}

function renderInstance(project, stack) {
  const head = el(
    "div",
    { class: "instance-head" },
    el("h2", {}, project, stack.instance > 1 ? el("span", { class: "instance" }, ` · instance ${stack.instance}`) : null),
    el("span", { class: "muted" }, stack.mode === "detached" ? "detached" : "in a terminal"),
    stack.alive ? null : el("span", { class: "status", dataset: { tone: "bad" } }, "stale: its supervisor died; `portmate down` cleans up"),
    el("span", { class: "muted", title: stack.configFile }, stack.configLabel),
    el("span", { class: "spacer" }),
    el(
      "button",
      { type: "button", disabled: !state.authorized || !stack.alive, onclick: () => copyEnv(stack), title: "Copy `portmate env` of this stack" },
      "Copy env",
    ),
  );
  const rows = stack.services.map((service) => renderService(stack, service));
  return el(
    "section",
    { class: "instance", dataset: { project, instance: String(stack.instance) } },
    head,
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ...["Service", "Status", "Port", "URLs", "PID", "Uptime", "Restarts", "Depends on", ""].map((name) => el("th", {}, name)))),
      el("tbody", {}, rows),
    ),
  );
}

function renderService(stack, service) {
  const key = `${stack.project}@${stack.instance}/${service.name}`;
  const pending = state.pending.get(key);
  const status = statusText(service, pending);
  const running = RUNNING.has(service.status);
  const ports = Object.entries(service.ports).map(([name, port]) => (name === "default" ? String(port) : `${name} ${port}`));
  const urls = [
    ["name", safeUrl(service.namedUrl)],
    ["direct", safeUrl(service.url)],
    ["public", safeUrl(service.publicUrl)],
  ].filter(([, url]) => url);
  const disabled = !state.authorized || !stack.alive || pending !== undefined;
  const act = (action) => () => runAction(stack, service, action);
  return el(
    "tr",
    { dataset: { service: service.name, status } },
    el("td", { class: "service" }, el("span", { style: `color:${colourOf(`${stack.project}/${service.id}`)}` }, "● "), service.id),
    el(
      "td",
      {},
      el("span", { class: "status", dataset: { tone: tone(pending ? "restarting" : service.status) } }, status),
      service.check
        ? el("span", { class: "check", dataset: { ok: String(service.check.ok) }, title: `checked at ${service.check.at}` }, service.check.answer)
        : null,
    ),
    el("td", {}, ports.join(", ") || "-"),
    el(
      "td",
      { class: "urls" },
      urls.length
        ? urls.map(([kind, url]) => el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, el("span", { class: "kind" }, kind), url))
        : "-",
    ),
    el("td", { class: "pid" }, service.pid === null ? "-" : String(service.pid)),
    el("td", { class: "uptime", dataset: { started: running && stack.alive ? (service.startedAt ?? "") : "" } }, "-"),
    el("td", { class: "restarts" }, String(service.restarts)),
    el("td", {}, service.dependsOn.length ? service.dependsOn.join(", ") : "-"),
    el(
      "td",
      { class: "actions" },
      el("button", { type: "button", disabled, onclick: act("restart"), title: "portmate restart" }, "Restart"),
      " ",
      el("button", { type: "button", disabled: disabled || !running, onclick: act("restart-new-port"), title: "portmate restart --new-port" }, "New port"),
      " ",
      running
        ? el("button", { type: "button", disabled, onclick: act("stop"), title: "portmate stop" }, "Stop")
        : el("button", { type: "button", disabled, onclick: act("start"), title: "portmate start" }, "Start"),
      " ",
      el("button", { type: "button", disabled: !urls.length, onclick: () => window.open(urls[0][1], "_blank", "noopener"), title: "Open its URL" }, "Open"),
    ),
  );
}

/** Ticks the uptimes each second, without a request. */
function tick() {
  const now = Date.now();
  for (const cell of document.querySelectorAll("td.uptime")) {
    const started = cell.dataset.started;
    cell.textContent = started ? duration(now - Date.parse(started)) : "-";
  }
}
setInterval(tick, 1000);

const DONE = {
  restart: "restarted",
  "restart-new-port": "restarted on a new port",
  stop: "stopped",
  start: "started",
};

async function runAction(stack, service, action) {
  const key = `${stack.project}@${stack.instance}/${service.name}`;
  state.pending.set(key, action);
  renderStacks();
  const note = toast(`${service.id}: ${action.replace("-", " ").replace("restart new port", "restarting on a new port")}…`);
  try {
    const { result } = await api("/api/actions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action, project: stack.project, instance: stack.instance, service: service.name }),
    });
    note.remove();
    toast(`${service.id} ${DONE[action]}${describeResult(action, result)}`, "ok");
  } catch (error) {
    note.remove();
    toast(`${service.id}: ${error.message}${error.details?.length ? `\n${error.details.join("\n")}` : ""}`, "bad", 12000);
  } finally {
    state.pending.delete(key);
    renderStacks();
  }
}

function describeResult(action, result) {
  if (action.startsWith("restart") && Array.isArray(result)) {
    const moves = result.flatMap((report) => report.moved.map((move) => `port ${move.from} → ${move.to}`));
    const also = result.flatMap((report) => report.restarted);
    return `${moves.length ? ` (${moves.join(", ")})` : ""}${also.length ? `; also restarted: ${also.join(", ")}` : ""}`;
  }
  if (action === "stop" && result?.leftRunning?.length) return `; still running, though they depend on it: ${result.leftRunning.join(", ")}`;
  if (action === "start" && result?.started?.length > 1)
    return ` (with ${result.started
      .slice(0, -1)
      .map((entry) => entry.service)
      .join(", ")})`;
  return "";
}

async function copyEnv(stack) {
  try {
    const { env, text } = await api(`/api/env?project=${encodeURIComponent(stack.project)}&instance=${stack.instance}`);
    await navigator.clipboard.writeText(text);
    toast(`Copied ${Object.keys(env).length} variables of ${stack.project} (portmate env)`, "ok");
  } catch (error) {
    toast(`Could not copy the env: ${error.message}`, "bad");
  }
}

// ---- logs -------------------------------------------------------------------------------------------------

const lines = $("log-lines");

function lineKey(entry) {
  return `${entry.project}/${entry.service}`;
}

function renderLine(entry) {
  const key = lineKey(entry);
  const node = el(
    "div",
    { class: "log-line", dataset: { key, ...(entry.failure ? { failure: "" } : {}) } },
    el("span", { class: "at" }, entry.at ? entry.at.replace("T", " ").replace("Z", "") : "-"),
    el(
      "span",
      { class: "who", style: `color:${entry.service === "portmate" ? "#8d96a0" : colourOf(key)}` },
      projectsShown() > 1 ? `${entry.project}/${entry.service}` : entry.service,
    ),
  );
  const text = el("span", { class: "text" });
  text.innerHTML = ansi.ansi_to_html(entry.text); // escapes HTML; only the colours become markup
  node.append(text);
  node.hidden = !matches(node);
  return node;
}

function projectsShown() {
  return new Set(state.stacks.map((stack) => stack.project)).size;
}

function matches(node) {
  const service = $("log-service").value;
  const search = $("log-search").value.trim().toLowerCase();
  if (service && node.dataset.key !== service) return false;
  if (search && !node.textContent.toLowerCase().includes(search)) return false;
  return true;
}

function append(entries) {
  if (state.paused) {
    state.held.push(...entries);
    $("log-count").textContent = `paused: ${state.held.length} new line${state.held.length === 1 ? "" : "s"}`;
    return;
  }
  const atBottom = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 40;
  const fragment = document.createDocumentFragment();
  for (const entry of entries) fragment.append(renderLine(entry));
  lines.append(fragment);
  while (lines.childElementCount > MAX_LINES) lines.firstElementChild.remove();
  if (atBottom) lines.scrollTop = lines.scrollHeight;
  $("log-count").textContent = `${lines.childElementCount} lines`;
}

function refilter() {
  for (const node of lines.children) node.hidden = !matches(node);
  lines.scrollTop = lines.scrollHeight;
}

function updateServiceFilter() {
  const select = $("log-service");
  const chosen = select.value;
  const keys = new Set();
  for (const stack of state.stacks) {
    for (const service of stack.services) keys.add(`${stack.project}/${service.id}`);
    keys.add(`${stack.project}/portmate`);
  }
  if (chosen) keys.add(chosen);
  select.replaceChildren(
    el("option", { value: "" }, "all"),
    ...[...keys].sort().map((key) => el("option", { value: key }, projectsShown() > 1 ? key : key.split("/")[1])),
  );
  select.value = chosen;
}

$("log-service").addEventListener("change", refilter);
$("log-search").addEventListener("input", refilter);
$("log-times").addEventListener("change", (event) => lines.classList.toggle("no-times", !event.target.checked));
lines.classList.add("no-times");
$("log-pause").addEventListener("click", (event) => {
  state.paused = !state.paused;
  event.target.setAttribute("aria-pressed", String(state.paused));
  event.target.textContent = state.paused ? "Resume" : "Pause";
  if (!state.paused) {
    const held = state.held;
    state.held = [];
    append(held);
  }
});
$("log-failure").addEventListener("click", () => {
  const failures = [...lines.querySelectorAll(".log-line[data-failure]")].filter((node) => !node.hidden);
  if (failures.length === 0) return toast("No failure in the logs shown");
  state.failureAt = (state.failureAt + 1) % failures.length;
  for (const node of lines.querySelectorAll(".log-line.current")) node.classList.remove("current");
  const node = failures[state.failureAt];
  node.classList.add("current");
  node.scrollIntoView({ block: "center" });
});

// ---- the stream -------------------------------------------------------------------------------------------

function connect() {
  const events = new EventSource("/api/events");
  const connection = $("connection");
  events.addEventListener("open", () => {
    connection.dataset.state = "live";
    connection.textContent = "live";
  });
  events.addEventListener("error", () => {
    connection.dataset.state = events.readyState === EventSource.CLOSED ? "lost" : "connecting";
    connection.textContent = events.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…";
  });
  events.addEventListener("stacks", (event) => {
    state.stacks = JSON.parse(event.data);
    renderStacks();
    updateServiceFilter();
  });
  events.addEventListener("backlog", (event) => {
    // A reconnection sends the backlog again: it replaces what was shown.
    lines.replaceChildren();
    append(JSON.parse(event.data));
    lines.scrollTop = lines.scrollHeight;
  });
  events.addEventListener("logs", (event) => append(JSON.parse(event.data)));
}

async function checkAccess() {
  try {
    state.authorized = token !== "" && (await api("/api/session")).authorized;
  } catch {
    state.authorized = false;
  }
  $("access").textContent = state.authorized ? "actions enabled" : "read-only: open it with `portmate dashboard` to act";
  renderStacks();
}

connect();
void checkAccess();
