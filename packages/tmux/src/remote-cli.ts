/**
 * The ssh executor's agent on a remote host: `node remote-cli.js <workDir> <command> [args]`, copied
 * there with the rest of this package's compiled files. It drives the same `Tmux` class (and so the same
 * launcher) against the host's own socket `<workDir>/tmux.sock` and registry `<workDir>/home`, and
 * answers in JSON on stdout. The session's environment is the login environment ssh gives this process,
 * plus the variables in the spec.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { claimFile, claimForStart, markStartDone, settleStartBeforeWait } from "./start-claim.js";
import { STATE_FILES, writeFileAtomic } from "./state.js";
import { Tmux } from "./tmux.js";
import type { SessionRef, SessionSpec } from "./types.js";

/** What `start` reads on stdin: the spec, and files (base64, by name) to put in its state directory first. */
export interface RemoteStartRequest {
  spec: SessionSpec;
  files: Record<string, string>;
}

const [workDir, command, ...args] = process.argv.slice(2);

function refOf(value: string | undefined): SessionRef {
  if (!value) throw new Error("a session name or state directory is required");
  return value.includes("/") ? { stateDir: value } : value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Every file of a state directory but the launch file (its environment may hold secrets of this host), base64 by name. */
async function stateFiles(stateDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(stateDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === STATE_FILES.launch || entry.name === path.basename(claimFile(stateDir)) || entry.name.endsWith(".tmp")) continue;
    files[entry.name] = (await readFile(path.join(stateDir, entry.name))).toString("base64");
  }
  return files;
}

async function main(): Promise<void> {
  if (!workDir || !command) throw new Error("usage: remote-cli.js <workDir> start|wait|status|list|tail|follow|kill|forget|files|put [args]");
  const tmux = new Tmux({ socket: path.join(workDir, "tmux.sock"), home: path.join(workDir, "home") });
  const print = (value: unknown): void => void process.stdout.write(JSON.stringify(value) + "\n");
  switch (command) {
    case "start": {
      const request = JSON.parse(await readStdin()) as RemoteStartRequest;
      const { stateDir } = request.spec;
      // An earlier try of this start that got there: its session, not a second one.
      if (!(await claimForStart(stateDir))) return print(await tmux.status({ stateDir }));
      try {
        for (const [name, content] of Object.entries(request.files)) {
          await writeFile(path.join(stateDir, path.basename(name)), Buffer.from(content, "base64"), { mode: 0o600 });
        }
        return print(await tmux.start(request.spec));
      } finally {
        await markStartDone(stateDir);
      }
    }
    case "wait": {
      // The caller's ssh went away (connection dropped, csess killed): stop waiting on its behalf.
      const gone = new AbortController();
      process.stdin.on("end", () => gone.abort()).on("close", () => gone.abort()).resume();
      const ref = refOf(args[0]);
      if (typeof ref !== "string") await settleStartBeforeWait(ref.stateDir);
      const outcome = await tmux.waitForExit(ref, { signal: gone.signal }).catch((error: unknown) => {
        if (gone.signal.aborted) process.exit(0);
        throw error;
      });
      return print(outcome);
    }
    case "status":
      return print(await tmux.status(refOf(args[0])));
    case "list":
      return print(await tmux.list());
    case "tail":
      process.stdout.write(await tmux.tail(refOf(args[0]), Number(args[1] ?? 20)));
      return;
    case "follow": {
      const outcome = await tmux.follow(refOf(args[0]), (chunk) => process.stdout.write(chunk), { lines: Number(args[1] ?? 20) });
      process.stderr.write(JSON.stringify(outcome) + "\n");
      return;
    }
    case "kill":
      return print(await tmux.kill(refOf(args[0])));
    case "forget":
      await tmux.forget(refOf(args[0]));
      return print({ ok: true });
    case "files":
      return print(await stateFiles(args[0] ?? ""));
    case "put": {
      // Executable files (hooks) by name, written whole (tmp + rename) into a directory of the host.
      const dir = args[0] ?? "";
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const files = JSON.parse(await readStdin()) as Record<string, string>;
      for (const [name, content] of Object.entries(files)) await writeFileAtomic(path.join(dir, path.basename(name)), content, 0o755);
      return print({ ok: true });
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}: expected start, wait, status, list, tail, follow, kill, forget, files or put`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    process.stderr.write(JSON.stringify({ error: (error as Error).message, ...(typeof code === "string" ? { code } : {}) }) + "\n");
    process.exit(3);
  },
);
