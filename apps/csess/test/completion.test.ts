// `csess completion bash|zsh|fish`: the bash script is loaded into a real bash and asked for
// completions; zsh and fish scripts are syntax-checked by those shells when they are installed.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "./run-helpers.js";

const script = (shell: string) => execFileSync(process.execPath, [CLI, "completion", shell], { encoding: "utf8" });

function bashComplete(words: string[]): string[] {
  const source = `${script("bash")}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _csess; printf '%s\\n' "\${COMPREPLY[@]}"`;
  // --norc: bash reads ~/.bashrc even without -i when its stdin is a socket, as node's pipes are (a
  // user's pyenv init there took minutes on a loaded machine).
  return execFileSync("bash", ["--norc", "--noprofile", "-c", source], { encoding: "utf8", timeout: 20_000 }).split("\n").filter(Boolean);
}

describe("csess completion", () => {
  it("bash completes commands, then the command's own flags", () => {
    expect(bashComplete(["csess", "re"])).toEqual(["resume", "report"]);
    expect(bashComplete(["csess", "run", "--max"])).toEqual(["--max-iterations"]);
    expect(bashComplete(["csess", "logs", "--it"])).toEqual(["--iteration"]);
    expect(bashComplete(["csess", "c"])).toEqual(["completion"]);
    expect(bashComplete(["csess", "_"])).toEqual([]); // the hidden hook command is not offered
  }, 30_000);

  it.each(["zsh", "fish"])("%s: a script the shell parses, naming every command", (shell) => {
    const text = script(shell);
    for (const name of ["run", "exec", "logs", "doctor", "completion"]) expect(text).toContain(name);
    const parse = spawnSync(shell, ["-n"], { input: text, encoding: "utf8" });
    if (parse.error) return; // the shell is not installed here: the content checks above still ran
    expect(parse.status, parse.stderr).toBe(0);
  }, 30_000);

  it("names the shells it knows when given another", () => {
    const r = spawnSync(process.execPath, [CLI, "completion", "powershell"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('csess: completion: expected bash, zsh or fish, e.g. csess completion bash; received "powershell"\n');
  }, 30_000);
});
