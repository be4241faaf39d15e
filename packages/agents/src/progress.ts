/**
 * One line a person can read for an agent's latest output line: codex `--json` and claude
 * `stream-json` events become "$ command", the message text, or the event's type; other text is
 * returned as it is. Used for live progress, never for classification.
 */
export function progressLine(line: string): string {
  const text = line.trim();
  const event = parseEvent(text);
  if (!event) return text;
  return readableEvent(event) ?? String(event.type ?? "event");
}

/**
 * What the agent last said or did, from the end of its output: the newest line that carries content.
 * Event names without content (`turn.started`), the CLIs' own warnings (`WARNING: proceeding, ...`,
 * codex's non-fatal `error` items) and blank lines are skipped. Undefined when nothing qualifies.
 */
export function lastMeaningfulLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const shown = meaningfulLine(lines[i]!);
    if (shown !== undefined) return shown;
  }
  return undefined;
}

/** The readable content of one output line, or undefined for CLI noise (see lastMeaningfulLine). */
export function meaningfulLine(line: string): string | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  const event = parseEvent(text);
  if (!event) return CLI_NOISE.test(text) ? undefined : text;
  const item = event.item as { type?: string } | undefined;
  if (item?.type === "error") return undefined; // codex's non-fatal notices (e.g. missing model metadata)
  if (typeof event.type === "string" && CONTENTLESS_EVENTS.has(event.type)) return undefined;
  const shown = readableEvent(event);
  return shown === undefined || shown === event.type || shown === item?.type ? undefined : shown;
}

/** Events that say a step happened, not what the agent said or did. */
const CONTENTLESS_EVENTS = new Set(["turn.completed", "turn.started", "thread.started", "user", "system", "rate_limit_event"]);

/** Lines the CLIs print about themselves, not about the work: warnings and stdin notices. */
const CLI_NOISE = /^(?:WARNING|WARN|warning)\b[:\s]|^Reading (?:prompt|additional input) from stdin/;

function parseEvent(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readableEvent(event: Record<string, unknown>): string | undefined {
  return codexLine(event) ?? claudeLine(event);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** codex exec --json: item.started / item.completed with a command_execution or agent_message item. */
function codexLine(event: Record<string, unknown>): string | undefined {
  const item = event.item as { type?: string; command?: string; text?: string; message?: string } | undefined;
  if (!item) {
    if (event.type === "turn.completed") return "turn completed";
    if (event.type === "error" && typeof event.message === "string") return `error: ${oneLine(event.message)}`;
    const failure = (event.error as { message?: unknown } | undefined)?.message;
    if (event.type === "turn.failed" && typeof failure === "string") return `failed: ${oneLine(failure)}`;
    return undefined;
  }
  if (item.type === "command_execution" && item.command) return `$ ${oneLine(unwrapShell(item.command))}`;
  if (item.type === "agent_message" && item.text) return oneLine(item.text);
  if (item.type === "error" && item.message) return `error: ${oneLine(item.message)}`;
  return item.type;
}

/** codex runs commands as `/bin/bash -c "..."`: show the command itself. */
function unwrapShell(command: string): string {
  const match = /^\S*\/(?:ba)?sh -l?c "(.*)"$/s.exec(command);
  return match ? match[1]!.replace(/\\(["\\$`])/g, "$1") : command;
}

/** claude -p --output-format stream-json: assistant text / tool_use, tool results, the final result. */
function claudeLine(event: Record<string, unknown>): string | undefined {
  const content = (event.message as { content?: unknown } | undefined)?.content;
  if (event.type === "assistant" && Array.isArray(content)) {
    const last = content.at(-1) as { type?: string; text?: string; name?: string; input?: { command?: string } } | undefined;
    if (last?.type === "text" && last.text) return oneLine(last.text);
    if (last?.type === "tool_use") return last.input?.command ? `$ ${oneLine(last.input.command)}` : `${last.name ?? "tool"} …`;
  }
  if (event.type === "user") return "tool result";
  if (event.type === "result" && typeof event.result === "string") return oneLine(event.result);
  if (event.type === "system") return `${String(event.subtype ?? "system")}`;
  return undefined;
}
