/**
 * A realistic big PRD: `sections` sections of 100 tasks (80 top-level, 20 nested), each section with
 * a heading and a paragraph, some tasks with a second line, a few checked.
 */
export function generatePrd(tasks: number): string {
  const lines = ["# Generated PRD", "", "Benchmark input: realistic structure, unique titles.", ""];
  for (let i = 0; i < tasks; i++) {
    if (i % 100 === 0) lines.push("", `## Section ${i / 100 + 1}: area ${i % 7}`, "", `Context for section ${i / 100 + 1} with \`code\` and *emphasis*.`, "");
    const nested = i % 5 === 4;
    const box = i % 9 === 0 ? "[x]" : "[ ]";
    lines.push(`${nested ? "  " : ""}- ${box} Implement feature ${i}: update \`module${i % 13}.ts\` and its tests`);
    if (i % 10 === 3) lines.push(`${nested ? "    " : "  "}Details for task ${i}, see [docs](https://example.com/${i}).`);
  }
  return lines.join("\n") + "\n";
}
