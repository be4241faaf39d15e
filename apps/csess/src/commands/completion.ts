import type { Command } from "commander";
import { UserError } from "../errors.js";

interface CommandWords {
  name: string;
  description: string;
  options: Array<{ flag: string; description: string }>;
}

/** Every visible command with its long/short flags, read from the program so completion never drifts. */
function commandWords(program: Command): CommandWords[] {
  const help = program.createHelp();
  return help.visibleCommands(program).filter((c) => c.name() !== "help").map((c) => ({
    name: c.name(),
    description: c.description(),
    options: help.visibleOptions(c).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f).map((flag) => ({ flag, description: o.description }))),
  }));
}

function bash(commands: CommandWords[]): string {
  const cases = commands.map((c) => `    ${c.name}) opts="${c.options.map((o) => o.flag).join(" ")}" ;;`).join("\n");
  return `# csess bash completion: eval "$(csess completion bash)" (e.g. in ~/.bashrc)
_csess() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(" ")} --help --version --no-color" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _csess csess
`;
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function zsh(commands: CommandWords[]): string {
  const names = commands.map((c) => quote(`${c.name}:${c.description.replaceAll(":", "\\:")}`)).join(" ");
  const cases = commands.map((c) => `    ${c.name}) opts=(${c.options.map((o) => quote(o.flag)).join(" ")}) ;;`).join("\n");
  return `#compdef csess
# csess zsh completion: eval "$(csess completion zsh)" (e.g. in ~/.zshrc, after compinit)
_csess() {
  local -a commands opts
  commands=(${names})
  if (( CURRENT == 2 )); then _describe 'csess command' commands; return; fi
  case $words[2] in
${cases}
  esac
  if [[ $words[CURRENT] == -* ]]; then compadd -- $opts --help; else _files; fi
}
compdef _csess csess
`;
}

function fish(commands: CommandWords[]): string {
  const lines = ["# csess fish completion: csess completion fish > ~/.config/fish/completions/csess.fish", "complete -c csess -f"];
  for (const c of commands) {
    lines.push(`complete -c csess -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description)}`);
    for (const o of c.options) {
      const flag = o.flag.startsWith("--") ? `-l ${o.flag.slice(2)}` : `-s ${o.flag.slice(1)}`;
      lines.push(`complete -c csess -n '__fish_seen_subcommand_from ${c.name}' ${flag} -d ${quote(o.description)}`);
    }
  }
  lines.push("complete -c csess -n 'not __fish_use_subcommand' -F");
  return `${lines.join("\n")}\n`;
}

const SHELLS: Record<string, (commands: CommandWords[]) => string> = { bash, zsh, fish };

/** `csess completion SHELL`: the script for that shell, from the program's own commands and flags. */
export function completionCommand(program: Command, shell: string): void {
  const render = SHELLS[shell];
  if (!render) throw new UserError(`completion: expected bash, zsh or fish, e.g. csess completion bash; received "${shell}"`);
  process.stdout.write(render(commandWords(program)));
}
