import type { Command, Option } from "commander";

/** Tells a completion script to complete file names instead. */
export const FILES = ":files";

/** What a positional argument of a command completes to. */
export type ArgumentKind = "services" | "commands" | "shells" | "targets" | "proxy-actions" | "none";

/** Which positional arguments of each command complete to what (the first, the second, then the rest). */
const ARGUMENTS: Record<string, ArgumentKind[]> = {
  up: ["services"],
  logs: ["services"],
  restart: ["services"],
  stop: ["services"],
  start: ["services"],
  run: ["services", "none"],
  port: ["services", "none"],
  env: ["services", "none"],
  export: ["targets", "services"],
  trust: ["none"],
  dashboard: ["none"],
  mcp: ["none"],
  init: ["none"],
  help: ["commands", "none"],
  completion: ["shells", "none"],
  proxy: ["proxy-actions", "none"],
};

const SHELLS = ["bash", "zsh", "fish"];
const TARGETS = ["compose", "kubernetes", "nomad"];
const PROXY_ACTIONS = ["status", "start", "stop"];

/** Every spelling of the options of a command (`-f`, `--file`). */
function flagsOf(command: Command): string[] {
  return command.options.filter((option) => !option.hidden).flatMap((option) => [option.short, option.long].filter((flag): flag is string => !!flag));
}

function findOption(command: Command, flag: string): Option | undefined {
  return command.options.find((option) => option.short === flag || option.long === flag);
}

/**
 * The completions of the last of `words` (what follows `portmate` on the command line, the word being typed
 * last, possibly empty): commands, a command's flags, the service names of the project (`services`, called
 * only when they are wanted), or FILES for a file name.
 */
export function completions(root: Command, words: readonly string[], services: (files: string[], projectName?: string) => string[]): string[] {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  let command: Command | undefined;
  const files: string[] = [];
  let projectName: string | undefined;
  const positionals: string[] = [];
  let expectsValue: Option | undefined;
  for (const word of before) {
    const scope = command ?? root;
    if (expectsValue) {
      if (expectsValue.long === "--file") files.push(word);
      if (expectsValue.long === "--project-name") projectName = word;
      expectsValue = undefined;
      continue;
    }
    // After a command's `--` come the words of another program (`portmate run -- …`): file names at least.
    if (word === "--" && command) return [FILES];
    if (word.startsWith("-")) {
      const option = findOption(scope, word.split("=")[0] ?? word);
      if (option && (option.required || option.optional) && !word.includes("=")) expectsValue = option;
      continue;
    }
    if (!command) {
      command = root.commands.find((candidate) => candidate.name() === word || candidate.aliases().includes(word));
      if (!command) return [];
    } else positionals.push(word);
  }
  const scope = command ?? root;
  if (expectsValue) return expectsValue.long === "--file" ? [FILES] : [];
  if (current.startsWith("-")) return match(flagsOf(scope), current);
  if (!command) return match(visibleCommands(root), current);
  const kinds = ARGUMENTS[command.name()] ?? [];
  const kind = kinds[Math.min(positionals.length, kinds.length - 1)] ?? "none";
  switch (kind) {
    case "services":
      return match(services(files, projectName), current);
    case "commands":
      return match(visibleCommands(root), current);
    case "shells":
      return match(SHELLS, current);
    case "targets":
      return match(TARGETS, current);
    case "proxy-actions":
      return match(PROXY_ACTIONS, current);
    default:
      return [];
  }
}

function visibleCommands(root: Command): string[] {
  return root.commands.filter((command) => !(command as Command & { _hidden?: boolean })._hidden).map((command) => command.name());
}

function match(candidates: readonly string[], prefix: string): string[] {
  return candidates.filter((candidate) => candidate.startsWith(prefix));
}

/** The completion script for `shell`, which asks `portmate __complete` for every completion. */
export function completionScript(shell: string): string {
  switch (shell) {
    case "bash":
      return `# portmate completion for bash: add to ~/.bashrc
#   eval "$(portmate completion bash)"
_portmate() {
  local IFS=$'\\n'
  local words=($(portmate __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ "\${words[0]}" == "${FILES}" ]]; then
    COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
  else
    COMPREPLY=("\${words[@]}")
  fi
}
complete -F _portmate portmate
`;
    case "zsh":
      return `#compdef portmate
# portmate completion for zsh: add to ~/.zshrc
#   eval "$(portmate completion zsh)"
_portmate() {
  local -a candidates
  candidates=("\${(@f)$(portmate __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${candidates[1]}" == "${FILES}" ]]; then
    _files
  else
    compadd -- "\${candidates[@]}"
  fi
}
compdef _portmate portmate
`;
    case "fish":
      return `# portmate completion for fish: add to ~/.config/fish/config.fish
#   portmate completion fish | source
function __portmate_complete
  set -l words (commandline -opc) (commandline -ct)
  set -e words[1]
  set -l found (portmate __complete -- $words 2>/dev/null)
  if test "$found[1]" = "${FILES}"
    __fish_complete_path (commandline -ct)
  else
    printf '%s\\n' $found
  end
end
complete -c portmate -f -a '(__portmate_complete)'
`;
    default:
      throw new Error(`no completion for ${shell}`);
  }
}

export const COMPLETION_SHELLS = SHELLS;
