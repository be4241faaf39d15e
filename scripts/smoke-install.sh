#!/usr/bin/env bash
# Installs csess the way a user does and runs it: packs apps/csess, installs the tarball with
# `npm i -g` into an empty temporary prefix, puts only that prefix's bin first on PATH, then runs
# `csess --version`, `csess doctor --json` and a small `csess run` with a custom agent in a new git
# repository, checks that the tasks were verified and ticked and nothing stray was left behind, then
# runs `csess demo` from the install with the clone's pinned codex on PATH. As root with OpenSSH installed,
# it also starts an sshd on loopback and runs two tasks on it as an ssh host (`--host`), so the files
# csess copies to hosts are proven to ship in the package.
# Needs a built workspace (bash scripts/setup.sh). Usage: bash scripts/smoke-install.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=false
[ "${1:-}" = "--keep" ] && keep=true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/csess-smoke-XXXXXX")
export CSESS_TMUX_SOCKET="$tmp/tmux.sock" CSESS_HOME="$tmp/csess-home"
sshd_pid=""
cleanup() {
  tmux -S "$CSESS_TMUX_SOCKET" kill-server 2>/dev/null || true
  tmux -S "$tmp/sshd/work/tmux.sock" kill-server 2>/dev/null || true
  # The sshd and its per-connection children: csess's master connections end with them.
  if [ -n "$sshd_pid" ]; then pkill -KILL -P "$sshd_pid" 2>/dev/null || true; kill -KILL "$sshd_pid" 2>/dev/null || true; fi
  if $keep; then echo "smoke: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "smoke-install: FAILED: $*" >&2; exit 1; }

echo "smoke: packing apps/csess"
(cd apps/csess && pnpm pack --pack-destination "$tmp" >/dev/null)
tarball=$(ls "$tmp"/csess-*.tgz)
echo "smoke: npm i -g --prefix $tmp/prefix $(basename "$tarball")"
npm i -g --prefix "$tmp/prefix" "$tarball" --no-audit --no-fund --loglevel=error >/dev/null
export PATH="$tmp/prefix/bin:$PATH"
hash -r
[ "$(command -v csess)" = "$tmp/prefix/bin/csess" ] || fail "csess on PATH is $(command -v csess), not the installed one"

expected=$(node -p 'require("./apps/csess/package.json").version')
got=$(csess --version)
[ "$got" = "$expected" ] || fail "csess --version printed '$got', expected '$expected'"
echo "smoke: csess --version = $got"

# doctor exits 1 when no codex/claude is installed; tmux and git must be found either way.
csess doctor --json > "$tmp/doctor.json" || true
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const bad = r.tools.filter((t) => t.ok !== true).map((t) => t.name);
  if (bad.length) { console.error("doctor: not ok: " + bad.join(", ")); process.exit(1); }
  console.log("smoke: csess doctor --json: " + r.tools.map((t) => `${t.name} ${t.version}`).join(", ") +
    "; agents: " + r.agents.map((a) => `${a.kind} ${a.found ? a.version ?? "found" : "missing"}`).join(", "));
' "$tmp/doctor.json" || fail "csess doctor --json (see $tmp/doctor.json)"
csess doctor --agent custom >/dev/null || fail "csess doctor --agent custom is not green"

repo="$tmp/repo"
mkdir -p "$repo" && cd "$repo"
git init -q -b main
git config user.name "csess smoke" && git config user.email "smoke@csess.invalid"
cat > PRD.md <<'PRD'
# Smoke

- [ ] Write hello.txt
- [ ] Write world.txt
PRD
cat > agent.sh <<'AGENT'
#!/bin/sh
# Does the task for real: one file per task, committed with the trailer csess looks for.
set -e
cat > /dev/null
file=$(printf '%s' "$CSESS_TASK_TITLE" | sed 's/^Write //')
echo "$CSESS_TASK_TITLE" > "$file"
git add "$file"
git commit -q -m "$CSESS_TASK_TITLE" -m "Csess-Task: $CSESS_TASK_ID"
AGENT
chmod +x agent.sh
git add -A && git commit -q -m "PRD and agent"

echo "smoke: csess run PRD.md --agent custom --agent-cmd ./agent.sh"
csess run PRD.md --agent custom --agent-cmd ./agent.sh --parallel 2 --stagger 0 --no-notify --json > "$tmp/run.jsonl" \
  || fail "csess run exited $? (events in $tmp/run.jsonl)"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const report = JSON.parse(lines.at(-1));
  const wrong = report.tasks.filter((t) => t.verdict !== "verified" || !t.checked);
  if (report.tasks.length !== 2 || wrong.length) { console.error(JSON.stringify(report.tasks, null, 2)); process.exit(1); }
' "$tmp/run.jsonl" || fail "not every task verified and ticked"
[ "$(grep -c '^- \[x\]' PRD.md)" = 2 ] || fail "PRD.md not ticked: $(cat PRD.md)"
[ -z "$(git status --porcelain)" ] || fail "the run left changes in the repository: $(git status --porcelain)"
[ -f hello.txt ] && [ -f world.txt ] || fail "the agents' work is not merged"
grep -q "Active Long-Running Processes" "$CSESS_HOME"/notes/*.md || fail "no daily notes in \$CSESS_HOME/notes"

# The install on an ssh host: one sshd on loopback (its own host and user keys, port and HOME), and two
# more tasks run there with --host; the host gets csess's dist/remote files from the installed package.
start_sshd() {
  local d=$1 port
  mkdir -p "$d/home" "$d/work" /run/sshd
  ssh-keygen -q -t ed25519 -N "" -f "$d/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$d/user_key"
  cp "$d/user_key.pub" "$d/authorized_keys"
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $d/host_key" "AuthorizedKeysFile $d/authorized_keys" \
    "PermitRootLogin prohibit-password" "PasswordAuthentication no" "KbdInteractiveAuthentication no" "StrictModes no" \
    "UsePAM no" "SetEnv HOME=$d/home" "PidFile $d/sshd.pid" > "$d/sshd_config"
  printf '%s\n' "Host smokehost" "  HostName 127.0.0.1" "  Port $port" "  User root" "  IdentityFile $d/user_key" \
    "  IdentitiesOnly yes" "  StrictHostKeyChecking no" "  UserKnownHostsFile /dev/null" "  LogLevel ERROR" > "$d/ssh_config"
  printf '[user]\n\tname = smoke host\n\temail = host@csess.invalid\n' > "$d/home/.gitconfig"
  /usr/sbin/sshd -D -e -f "$d/sshd_config" 2> "$d/sshd.log" &
  sshd_pid=$!
  disown "$sshd_pid" # killed by pid in cleanup; no job notice
  for _ in $(seq 100); do grep -q "Server listening" "$d/sshd.log" && return 0; sleep 0.1; done
  fail "sshd did not start within 10 s: $(cat "$d/sshd.log")"
}
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
  start_sshd "$tmp/sshd"
  printf '%s\n' "- [ ] Write remote1.txt" "- [ ] Write remote2.txt" >> PRD.md
  printf '{ "hosts": [{ "host": "smokehost", "slots": 2, "dir": "%s" }], "sshConfig": "%s" }\n' "$tmp/sshd/work" "$tmp/sshd/ssh_config" > csess.config.json
  git add -A && git commit -q -m "two tasks for the ssh host"
  echo "smoke: csess run PRD.md --host smokehost:2 (an sshd on 127.0.0.1)"
  csess run PRD.md --agent custom --agent-cmd ./agent.sh --stagger 0 --no-notify --json > "$tmp/ssh-run.jsonl" \
    || fail "csess run on the ssh host exited $? (events in $tmp/ssh-run.jsonl, sshd log $tmp/sshd/sshd.log)"
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const report = lines.at(-1);
    const wrong = report.tasks.filter((t) => t.verdict !== "verified" || !t.checked);
    if (report.tasks.length !== 2 || wrong.length) { console.error(JSON.stringify(report.tasks, null, 2)); process.exit(1); }
  ' "$tmp/ssh-run.jsonl" || fail "not every task run on the ssh host verified and ticked"
  [ -f remote1.txt ] && [ -f remote2.txt ] || fail "the ssh host's work is not merged"
  ls "$tmp"/sshd/work/lib/*/remote-cli.js >/dev/null 2>&1 || fail "no remote-cli.js copied to the ssh host's $tmp/sshd/work/lib"
  [ "$(ls -d "$tmp"/sshd/work/worktrees/csess/*/* | wc -l)" = 2 ] || fail "the agents did not work in worktrees on the ssh host"
  [ -z "$(git status --porcelain)" ] || fail "the ssh run left changes in the repository: $(git status --porcelain)"
  echo "smoke: 2 tasks ran on the ssh host, verified, merged and ticked"
else
  echo "smoke: not root or no OpenSSH (scripts/setup.sh installs it): the ssh host check skipped"
fi

# Without a codex on PATH the demo stops at once and names the package to install.
if ! command -v codex >/dev/null 2>&1; then
  if csess demo --dir "$tmp/no-codex" > /dev/null 2> "$tmp/no-codex.err"; then fail "csess demo without codex succeeded"; fi
  grep -q "npm install -g @openai/codex" "$tmp/no-codex.err" || fail "csess demo without codex did not name @openai/codex: $(cat "$tmp/no-codex.err")"
  [ ! -e "$tmp/no-codex" ] || fail "csess demo without codex created $tmp/no-codex"
  echo "smoke: csess demo without codex: $(cat "$tmp/no-codex.err")"
fi

# The demo from the install, with a codex CLI on PATH: the one this clone installed (the pinned version).
codex_dir="$root/apps/csess/node_modules/.bin"
if [ -x "$codex_dir/codex" ]; then
  echo "smoke: csess demo (codex from $codex_dir)"
  PATH="$PATH:$codex_dir" csess demo --dir "$tmp/demo" --json > "$tmp/demo.jsonl" 2> "$tmp/demo.err" \
    || fail "csess demo from the install exited $?: $(tail -5 "$tmp/demo.err")"
else
  echo "smoke: no codex in $codex_dir (pnpm install not run?): demo skipped"
fi
echo "smoke-install: OK (installed csess $got ran its tasks here and on an ssh host, all verified, merged and ticked; the demo came out as scripted)"
