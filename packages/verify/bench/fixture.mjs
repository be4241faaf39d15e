// @ts-check
// The verify benchmarks' fixture (also used by apps/csess/bench/startup.mjs for `csess verify`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrd } from "@csess/prd";

const VERBS = ["Add", "Create", "Implement", "Fix", "Remove", "Update", "Document", "Refactor", "Validate", "Support"];
const THINGS = ["login", "logout", "session", "invoice", "payment", "search", "upload", "profile", "cache", "export", "import", "webhook", "billing", "avatar", "password", "audit", "report", "tag", "comment", "theme"];
const PARTS = ["endpoint", "button", "form", "page", "job", "table", "dialog", "api", "parser", "worker"];
const PLACES = ["for admins", "in the dashboard", "on mobile", "for teams", "in settings"];
const NOISE = ["fix typo", "bump deps", "wip", "chore: format", "refactor: tidy imports", "ci: speed up cache", "docs: fix link", "Merge branch 'main'"];

/** Deterministic pseudo-random numbers, so every run builds the same repository. */
/** @param {number} seed @returns {() => number} */
function random(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * A PRD of `taskCount` tasks (about half ticked) and a repository of `commitCount` commits built with
 * `git fast-import`: some tasks have trailer commits, some conventional-commit subjects, the rest noise.
 * @returns {{ root: string, prd: string, commits: number }}
 */
export function buildFixture(taskCount = 1000, commitCount = 10_000) {
  const rand = random(42);
  const pick = (/** @type {readonly string[]} */ list) => list[Math.floor(rand() * list.length)] ?? "";
  const titles = Array.from({ length: taskCount }, (_, i) => `${VERBS[i % VERBS.length]} the ${THINGS[Math.floor(i / 10) % THINGS.length]} ${PARTS[Math.floor(i / 200) % PARTS.length]} ${PLACES[Math.floor(i / 50) % PLACES.length]} (#${i})`);
  const prd = "# Big plan\n\n" + titles.map((t, i) => `- [${i % 2 === 0 ? "x" : " "}] ${t}`).join("\n") + "\n";
  const ids = parsePrd(prd).tasks.map((t) => t.id);

  const root = realpathSync(mkdtempSync(join(tmpdir(), "csess-verify-bench-")));
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: root });
  let stream = "";
  const time = 1_700_000_000;
  for (let n = 0; n < commitCount; n++) {
    const task = Math.floor(rand() * taskCount);
    const roll = rand();
    const message =
      n === 0 ? "init" :
      roll < 0.15 ? `Work on task ${task}\n\nCsess-Task: ${ids[task]}` :
      roll < 0.6 ? `feat: ${(titles[task] ?? "").toLowerCase().replace(/^(\w+) the /, () => pick(["add ", "implement ", "", "fix "]))}` :
      pick(NOISE);
    const path = n === 0 ? "PRD.md" : `src/mod${n % 500}/file${n % 7}.ts`;
    const content = n === 0 ? prd : `export const v${n} = ${n};\n// ${message.split("\n")[0]}\n`;
    const data = Buffer.byteLength(message);
    stream += `commit refs/heads/main\nmark :${n + 1}\ncommitter Bench <bench@example.com> ${time + n} +0000\ndata ${data}\n${message}\n`;
    if (n > 0) stream += `from :${n}\n`;
    stream += `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
  }
  execFileSync("git", ["fast-import", "--quiet"], { cwd: root, input: stream, maxBuffer: 1 << 28 });
  execFileSync("git", ["checkout", "-q", "-f", "main"], { cwd: root });
  return { root, prd, commits: commitCount };
}
