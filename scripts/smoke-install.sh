#!/usr/bin/env bash
# Installs csess the way a user does and runs it: packs apps/csess, installs the tarball with
# `npm i -g` into an empty temporary prefix, puts only that prefix's bin first on PATH, then runs
# `csess --version`, `csess doctor --json` and a small `csess run` with a custom agent in a new git
# repository, checks that the tasks were verified and ticked and nothing stray was left behind, then
# runs `csess demo` from the install with the clone's pinned codex on PATH.
# Needs a built workspace (bash scripts/setup.sh). Usage: bash scripts/smoke-install.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=false
[ "${1:-}" = "--keep" ] && keep=true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/csess-smoke-XXXXXX")
export CSESS_TMUX_SOCKET="$tmp/tmux.sock" CSESS_HOME="$tmp/csess-home"
cleanup() {
  tmux -S "$CSESS_TMUX_SOCKET" kill-server 2>/dev/null || true
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
echo "smoke-install: OK (installed csess $got ran 2 tasks, both verified, merged and ticked; the demo came out as scripted)"
