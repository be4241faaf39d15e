#!/usr/bin/env bash
# Sets up csess on a fresh machine that has only Node >= 20.19 and npm:
# installs pnpm, tmux, git, perl, OpenSSH (server and client: the ssh tests start their own sshd) and chromium
# (headless browser for the HTML report tests) when missing, the workspace dependencies, and builds every package.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.34.8" ]; then
  echo "setup: installing pnpm 10.34.8"
  npm install -g pnpm@10.34.8 >/dev/null
fi
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v git >/dev/null 2>&1 || missing+=(git)
# perl: every session starts through a small perl launcher (perl-base is on every Debian system anyway).
command -v perl >/dev/null 2>&1 || missing+=(perl-base)
# sshd: the ssh executor tests start their own OpenSSH servers.
{ command -v ssh >/dev/null 2>&1 && [ -x /usr/sbin/sshd ]; } || missing+=(openssh-server openssh-client)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Tests drive the Debian chromium above; no package may download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
pnpm install --frozen-lockfile
pnpm build --output-logs=errors-only
