import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, makeSandbox, tmuxRaw, waitForFile, type Sandbox } from "./helpers.js";

let box: Sandbox;
let outer: string;
beforeEach(async () => {
  box = await makeSandbox();
  outer = path.join(box.dir, "outer");
});
afterEach(async () => {
  try {
    tmuxRaw(outer, ["kill-server"]);
  } catch {
    // not started
  }
  await box.cleanup();
});

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("attach", () => {
  it("hands a real terminal to tmux attach: a client appears on the session and detaching ends attach with 0", async () => {
    await box.tmux.start({ name: "demo", cwd: box.dir, argv: ["sh", "-c", "echo hi; exit 3"], stateDir: box.stateDir("demo") });
    await box.tmux.waitForExit("demo");
    // The exit file comes before the pane dies (the launcher holds it a moment): wait for tmux's "Pane is
    // dead" line, whose line feed scrolls the top line ("hi") into the history. Attached before it, that
    // line would stay there; attached after, the larger client pulls it back into view.
    expect(await eventually(() => tmuxRaw(box.socket, ["display-message", "-p", "-t", "=demo:", "#{pane_dead}"]).trim() === "1")).toBe(true);
    // The terminal: a pane of a second tmux server, where a small script calls Tmux.attach. It is larger
    // than the session (200x50), so attaching does not shrink the pane and scroll its first lines away.
    const script =
      `const { Tmux } = await import(${JSON.stringify(dist)});` +
      `const code = await new Tmux({ socket: ${JSON.stringify(box.socket)}, home: ${JSON.stringify(box.home)} }).attach("demo");` +
      `require("node:fs").writeFileSync(${JSON.stringify(path.join(box.dir, "attach.code"))}, String(code));`;
    tmuxRaw(outer, ["new-session", "-d", "-s", "terminal", "-x", "220", "-y", "60", "--", process.execPath, "--input-type=commonjs", "-e", `(async () => { ${script} })()`]);
    const clients = () => tmuxRaw(box.socket, ["list-clients", "-t", "=demo:", "-F", "#{client_tty}"]).trim();
    expect(await eventually(() => clients() !== "")).toBe(true);
    // The attached client draws the pane: its output shows up in the outer terminal.
    expect(await eventually(() => tmuxRaw(outer, ["capture-pane", "-p", "-t", "=terminal:"]).includes("hi"))).toBe(true);
    tmuxRaw(box.socket, ["detach-client", "-s", "=demo:"]);
    await waitForFile(path.join(box.dir, "attach.code"));
    expect(await readFile(path.join(box.dir, "attach.code"), "utf8")).toBe("0");
  });

  it("explains why a session cannot be attached once the server is gone", async () => {
    await box.tmux.start({ name: "gone", cwd: box.dir, argv: ["sleep", "600"], stateDir: box.stateDir("gone") });
    await box.tmux.killServer();
    await expect(box.tmux.attach("gone")).rejects.toMatchObject({
      code: "SERVER_NOT_RUNNING",
      message: expect.stringMatching(/cannot attach to session gone: it is dead and no tmux server is running on socket/),
    });
  });
});
