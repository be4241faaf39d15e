import type { Plan, PlannedTask } from "./plan.js";

/** `+m:ss` / `+h:mm:ss` offsets; `3s`, `5m`, `1h30m` durations. */
export function formatOffset(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `+${h}:${String(m).padStart(2, "0")}:${s}` : `+${m}:${s}`;
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m > 0 ? `${String(m).padStart(2, "0")}m` : ""}`;
  return `${m}m${s > 0 ? `${String(s).padStart(2, "0")}s` : ""}`;
}

/**
 * The plan as text for `csess run --dry-run`: settings, then each wave with projected start offsets
 * and dependencies, groups, and tasks that will not run. `titles` adds each task's title.
 */
export function formatPlan(plan: Plan, options: { titles?: Record<string, string> } = {}): string {
  const title = (id: string) => (options.titles?.[id] ? `  ${options.titles[id]}` : "");
  const todo = plan.tasks.filter((t) => t.status === "todo");
  const agents = todo.filter((t) => t.kind === "agent").length;
  const out: string[] = [
    `${agents} task${agents === 1 ? "" : "s"} to run in ${plan.waves.length} wave${plan.waves.length === 1 ? "" : "s"}` +
      ` (parallel ${plan.parallel}, stagger ${formatDuration(plan.staggerMs)}, up to ${plan.maxIterations} iteration${plan.maxIterations === 1 ? "" : "s"} each)`,
    `Projected start offsets assume every iteration takes ${formatDuration(plan.assumedIterationMs)} and verifies first time;` +
      ` projected end ${formatOffset(plan.projectedMakespanMs)}. Rate limits can only make it later.`,
  ];
  const width = Math.max(0, ...plan.tasks.map((t) => t.id.length));
  const line = (when: string, t: PlannedTask, note: string) =>
    `  ${when.padEnd(9)} ${t.id.padEnd(width)}${title(t.id)}${note ? `  (${note})` : ""}`;
  plan.waves.forEach((ids, wave) => {
    out.push("", `wave ${wave + 1}${wave === 0 ? "" : `: after wave ${wave}`}`);
    for (const id of ids) {
      const t = plan.tasks.find((p) => p.id === id)!;
      const notes: string[] = [];
      if (t.kind === "group") notes.push(`group: verified when ${t.deps.join(", ")} are; no agent run`);
      else if (t.deps.length > 0) notes.push(`after ${t.deps.join(", ")}`);
      if (t.attached) notes.push("re-attaches to its running iteration");
      if (t.iterationsUsed > 0) notes.push(`${t.iterationsUsed} of ${plan.maxIterations} iterations used`);
      const when = t.kind === "group" ? "-" : formatOffset(t.projectedStartMs ?? 0);
      out.push(line(when, t, notes.join("; ")));
    }
  });
  const done = plan.tasks.filter((t) => t.status === "done");
  const blocked = plan.tasks.filter((t) => t.status === "exhausted" || t.status === "skipped");
  if (blocked.length > 0) {
    out.push("", "will not run");
    for (const t of blocked) out.push(line(t.status, t, t.reason ?? ""));
  }
  if (done.length > 0) out.push("", `already done: ${done.map((t) => t.id).join(", ")}`);
  return out.join("\n") + "\n";
}
