// @ts-check
// The benchmark PRDs (also csess's start-up benchmark's `csess tasks` input).

/** A realistic PRD: sections of 100 tasks with a heading and a paragraph, some nesting and detail lines. */
/** @param {number} tasks */
export function realistic(tasks) {
  const lines = ["# Generated PRD", "", "Benchmark input: realistic structure, unique titles.", ""];
  for (let i = 0; i < tasks; i++) {
    if (i % 100 === 0) lines.push("", `## Section ${i / 100 + 1}: area ${i % 7}`, "", `Context for section ${i / 100 + 1} with \`code\` and *emphasis*.`, "");
    const nested = i % 5 === 4;
    lines.push(`${nested ? "  " : ""}- ${i % 9 === 0 ? "[x]" : "[ ]"} Implement feature ${i}: update \`module${i % 13}.ts\` and its tests`);
    if (i % 10 === 3) lines.push(`${nested ? "    " : "  "}Details for task ${i}, see [docs](https://example.com/${i}).`);
  }
  return lines.join("\n") + "\n";
}

/** The smallest honest 10,000-task PRD: one short line per task under a heading every 100. */
/** @param {number} tasks */
export function compact(tasks) {
  const lines = [];
  for (let i = 0; i < tasks; i++) {
    if (i % 100 === 0) lines.push("", `## Part ${i / 100 + 1}`, "");
    lines.push(`- [ ] Task ${i}`);
  }
  return lines.join("\n") + "\n";
}
