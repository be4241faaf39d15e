import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run, which } from "../src/exec.js";

// The two process helpers behind probeAgent (internal, small and stable): they must never throw and
// never hang, whatever the installed CLI does.
const dir = mkdtempSync(join(tmpdir(), "csess-exec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run", () => {
  it("a program that outlives its time limit is stopped and said so", async () => {
    const started = Date.now();
    expect(await run("/bin/sleep", ["30"], process.env, 300)).toEqual({ code: null, stdout: "", stderr: "", error: "timed out after 300 ms" });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("a program that cannot start gives the system's error code", async () => {
    const script = join(dir, "bad-interpreter");
    writeFileSync(script, "#!/nonexistent/interpreter\n");
    chmodSync(script, 0o755);
    expect(await run(script, [], process.env)).toMatchObject({ code: null, error: "ENOENT" });
  });

  it("runs with the given environment and returns text, with the exit code", async () => {
    expect(await run("/bin/sh", ["-c", 'printf "%s" "$CSESS_EXEC_TEST"; printf err >&2; exit 3'], { PATH: "/usr/bin:/bin", CSESS_EXEC_TEST: "from env" })).toEqual({
      code: 3,
      stdout: "from env",
      stderr: "err",
    });
  });
});

describe("run without collecting output (stdio ignore / inherit)", () => {
  it("gives the exit code, with the given environment", async () => {
    expect(await run("/bin/sh", ["-c", 'test "$CSESS_EXEC_TEST" = yes && exit 4'], { PATH: "/usr/bin:/bin", CSESS_EXEC_TEST: "yes" }, 15_000, "ignore")).toEqual({ code: 4, stdout: "", stderr: "" });
  });

  it("settles when the program exits, even if something it started lives on; without a time limit when it is 0", async () => {
    const started = Date.now();
    expect(await run("/bin/sh", ["-c", "sleep 30 & sleep 0.3; exit 0"], process.env, 0, "ignore")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("stops a program that outlives its time limit, and says so", async () => {
    expect(await run("/bin/sleep", ["30"], process.env, 300, "ignore")).toEqual({ code: null, stdout: "", stderr: "", error: "timed out after 300 ms" });
  });

  it("a program that cannot start gives the system's error code", async () => {
    expect(await run(join(dir, "no-such-program"), [], process.env, 15_000, "ignore")).toEqual({ code: null, stdout: "", stderr: "", error: "ENOENT" });
  });
});

describe("which", () => {
  it("an empty PATH entry does not mean the current directory", () => {
    const name = `csess-which-test-${process.pid}`;
    const here = join(process.cwd(), name);
    writeFileSync(here, "#!/bin/sh\n");
    chmodSync(here, 0o755);
    try {
      expect(which(name, { PATH: `:${dir}:` })).toBeUndefined();
      expect(which(`./${name}`, { PATH: "" })).toBe(here);
    } finally {
      rmSync(here, { force: true });
    }
  });

  it("a directory of the program's name on PATH is passed over for the program further on", () => {
    const first = join(dir, "first");
    const second = join(dir, "second");
    mkdirSync(join(first, "codex"), { recursive: true, mode: 0o755 }); // searchable, so "executable" to access()
    mkdirSync(second);
    writeFileSync(join(second, "codex"), "#!/bin/sh\n");
    chmodSync(join(second, "codex"), 0o755);
    expect(which("codex", { PATH: `${first}:${second}` })).toBe(join(second, "codex"));
    expect(which("codex", { PATH: first })).toBeUndefined();
  });
});
