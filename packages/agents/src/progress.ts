/**
 * One line a person can read for an agent's latest output line: codex `--json` and claude
 * `stream-json` events become "$ command", the message text, or the event's type; other text is
 * returned as it is. Used for live progress, never for classification.
 */
export function progressLine(line: string): string {
  const text = line.trim();
  if (!text.startsWith("{")) return text;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text;
  }
  return codexLine(event) ?? claudeLine(event) ?? String(event.type ?? "event");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** codex exec --json: item.started / item.completed with a command_execution or agent_message item. */
function codexLine(event: Record<string, unknown>): string | undefined {
  const item = event.item as { type?: string; command?: string; text?: string; message?: string } | undefined;
  if (!item) return event.type === "turn.completed" ? "turn completed" : undefined;
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
