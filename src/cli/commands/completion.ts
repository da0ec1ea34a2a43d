// drover completion bash|zsh|fish: a completion script generated from commander's own command tree
// (every command, subcommand and option, as registered), so it never drifts from the CLI. Names are
// checked to be plain words before they reach a script; descriptions are quoted for the shell.
import type { Command } from "commander";
import type { Context } from "../context.js";
import { UserError } from "../../errors.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

interface Node {
  readonly name: string;
  readonly description: string;
  readonly options: readonly { readonly flags: readonly string[]; readonly description: string }[];
  readonly commands: readonly Node[];
}

const WORD = /^-{0,2}[A-Za-z0-9][A-Za-z0-9-]*$/;
const word = (s: string): string => {
  if (!WORD.test(s)) throw new Error(`internal: ${JSON.stringify(s)} is not a command or option name`);
  return s;
};

function tree(c: Command): Node {
  return {
    name: word(c.name()),
    description: c.description(),
    options: c.options.map((o) => ({ flags: [o.short, o.long].filter((x): x is string => !!x).map(word), description: o.description })),
    commands: c.commands.filter((x) => !(x as unknown as { _hidden?: boolean })._hidden).map(tree),
  };
}

/** A single-quoted shell word (bash, zsh, fish all read '…' literally; fish also takes \' and \\ inside). */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const fishq = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\r\n\u2028\u2029]+/g, " ")}'`;
const opts = (n: Node, root: Node) => [...n.options, ...root.options].flatMap((o) => o.flags);

function bash(root: Node): string {
  const cases: string[] = [];
  const walk = (n: Node, path: string[]) => {
    if (path.length) {
      const words = [...n.commands.map((c) => c.name), ...opts(n, root)];
      cases.push(`    ${sq(path.join(" "))}) words=${sq(words.join(" "))} ;;`);
    }
    for (const c of n.commands) walk(c, [...path, c.name]);
  };
  walk(root, []);
  return `# bash completion for drover (drover completion bash); generated from the CLI's command tree
_drover() {
  local cur path="" words i w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # the command path typed so far: the words before the cursor that name (sub)commands
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $w == -* ]] && continue
    case "\${path:+$path }$w" in
${cases.map((c) => c.replace(/\) words=.*$/, ") path=\"${path:+$path }$w\" ;;").replace(/^ {4}/, "      ")).join("\n")}
    esac
  done
  case "$path" in
    '') words=${sq([...root.commands.map((c) => c.name), ...root.options.flatMap((o) => o.flags)].join(" "))} ;;
${cases.join("\n")}
  esac
  if [[ $cur == -* || -z $path ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur"; compgen -f -- "$cur")
  fi
}
complete -o filenames -F _drover drover
`;
}

function zsh(root: Node): string {
  return `#compdef drover
# zsh completion for drover (drover completion zsh): the bash completion, through zsh's bashcompinit
autoload -U +X bashcompinit && bashcompinit
${bash(root)}`;
}

function fish(root: Node): string {
  const lines = ["# fish completion for drover (drover completion fish); generated from the CLI's command tree", "complete -c drover -f"];
  const walk = (n: Node, path: string[]) => {
    const cond = path.length ? `__fish_seen_subcommand_from ${path.at(-1)}` : "__fish_use_subcommand";
    for (const c of n.commands) lines.push(`complete -c drover -n ${fishq(cond)} -a ${c.name} -d ${fishq(c.description)}`);
    if (path.length) {
      for (const o of n.options) {
        const flags = o.flags.map((f) => (f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(" ");
        lines.push(`complete -c drover -n ${fishq(cond)} ${flags} -d ${fishq(o.description)}`);
      }
      // operands are lab files and folders
      lines.push(`complete -c drover -n ${fishq(cond)} -F`);
    }
    for (const c of n.commands) walk(c, [...path, c.name]);
  };
  walk(root, []);
  for (const o of root.options) lines.push(`complete -c drover ${o.flags.map((f) => (f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(" ")} -d ${fishq(o.description)}`);
  return lines.join("\n") + "\n";
}

export function completionScript(program: Command, shell: string): string {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UserError(`no completion for the shell ${JSON.stringify(shell)}`, `name one of ${SHELLS.join(", ")}`, 2);
  const root = tree(program);
  return { bash, zsh, fish }[shell as Shell](root);
}

export function register(program: Command, ctx: Context): void {
  program
    .command("completion")
    .description("print a shell completion script: bash (source it, or put it in /etc/bash_completion.d/drover), zsh (in a folder of $fpath as _drover), fish (~/.config/fish/completions/drover.fish)")
    .argument("<shell>", SHELLS.join(" | "))
    .action((shell: string) => {
      ctx.output().out(completionScript(program, shell).trimEnd());
    });
}
