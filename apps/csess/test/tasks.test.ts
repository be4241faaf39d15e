import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parsePrd } from "@csess/prd";
import { main } from "../src/cli.js";

const demoPrd = fileURLToPath(new URL("../demo/PRD.md", import.meta.url));

/** Runs `csess ARGS...` in this process; returns its exit code and what it printed. */
async function csess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(["node", "csess", ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

let dir: string;
let prd: string;
const text = "# Plan\r\n\r\n- [ ] Add login\r\n  - [x] Hash passwords\r\n\r\n## Ship\r\n\r\n1. [X] Deploy `v1`\r\n";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "csess-tasks-"));
  prd = path.join(dir, "PRD.md");
  await writeFile(prd, text);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("csess tasks", () => {
  it("prints a table: id, box, line, indented title, section, and a summary", async () => {
    const { code, stdout, stderr } = await csess("tasks", prd);
    expect([code, stderr]).toEqual([0, ""]);
    const [login, hash, deploy] = parsePrd(text).tasks;
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+DONE\s+LINE\s+TASK\s+SECTION$/);
    expect(lines[1]).toMatch(new RegExp(`^${login!.id}\\s+\\[ \\]\\s+3\\s+Add login\\s+Plan$`));
    expect(lines[2]).toMatch(new RegExp(`^${hash!.id}\\s+\\[x\\]\\s+4\\s+  Hash passwords\\s+Plan$`));
    expect(lines[3]).toMatch(new RegExp(`^${deploy!.id}\\s+\\[x\\]\\s+8\\s+Deploy \`v1\`\\s+Ship$`));
    expect(lines.at(-1)).toBe("3 tasks, 1 open, 2 done");
  });

  it("--json prints {tasks:[...]} with every contract field, null for an absent parent or section", async () => {
    const { code, stdout } = await csess("tasks", prd, "--json");
    expect(code).toBe(0);
    const [login, hash, deploy] = parsePrd(text).tasks;
    const json = JSON.parse(stdout) as { tasks: Array<Record<string, unknown>> };
    expect(json).toEqual({
      tasks: [
        { id: login!.id, title: "Add login", checked: false, line: 3, depth: 0, parentId: null, section: "Plan" },
        { id: hash!.id, title: "Hash passwords", checked: true, line: 4, depth: 1, parentId: login!.id, section: "Plan" },
        { id: deploy!.id, title: "Deploy `v1`", checked: true, line: 8, depth: 0, parentId: null, section: "Ship" },
      ],
    });
    expect(Object.keys(json.tasks[0]!)).toEqual(["id", "title", "checked", "line", "depth", "parentId", "section"]);
    expect(stdout.endsWith("}\n")).toBe(true);
  });

  it("--json on the bundled demo PRD lists its tasks with every field", async () => {
    const { code, stdout } = await csess("tasks", demoPrd, "--json");
    expect(code).toBe(0);
    const { tasks } = JSON.parse(stdout) as { tasks: Array<Record<string, unknown>> };
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect(Object.keys(task)).toEqual(["id", "title", "checked", "line", "depth", "parentId", "section"]);
      expect(task.id).toMatch(/^[0-9a-z]{6}$/);
    }
  });

  it("a PRD without tasks says what a task looks like", async () => {
    const empty = path.join(dir, "empty.md");
    await writeFile(empty, "# Notes\n\n- not a task\n- [ ]\n");
    const { code, stdout } = await csess("tasks", empty);
    expect(code).toBe(0);
    expect(stdout).toMatch(/No tasks found \(expected GitHub task items such as "- \[ \] Add login"\)/);
    expect(JSON.parse((await csess("tasks", empty, "--json")).stdout)).toEqual({ tasks: [] });
  });

  it("a missing file: exit 2 and one line on stderr naming the path", async () => {
    const missing = path.join(dir, "nope.md");
    const { code, stdout, stderr } = await csess("tasks", missing, "--json");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`csess: cannot read PRD ${missing}: no such file\n`); // one line, no stack
  });

  it("a directory: exit 2 and one line saying a markdown file was expected", async () => {
    const { code, stdout, stderr } = await csess("tasks", dir);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.startsWith(`csess: cannot read PRD ${dir}: it is a directory, expected a markdown file`)).toBe(true);
    expect(stderr.indexOf("\n")).toBe(stderr.length - 1); // exactly one line
  });

  it("no PRD argument: a usage error, exit 2", async () => {
    const { code, stderr } = await csess("tasks");
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing required argument 'PRD\.md'/);
  });
});
