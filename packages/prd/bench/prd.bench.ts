import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { bench, describe } from "vitest";
import { describeTasks, parsePrd, setTaskChecked } from "../src/index.js";
import { generatePrd } from "./generate.js";

// Two different texts, alternated, so parsePrd's one-entry memo never answers for the parse benches.
const lf = generatePrd(10_000);
const crlf = lf.replace(/\n/g, "\r\n");
let flip = false;
const next = () => ((flip = !flip) ? lf : crlf);

const ids = parsePrd(lf).tasks.filter((t) => !t.checked).map((t) => t.id);
const toToggle = ids.filter((_, i) => i % Math.floor(ids.length / 1000) === 0).slice(0, 1000);
const remarkOnly = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ["yaml"]).freeze();

describe(`10,000-task PRD (${(lf.length / 1024).toFixed(0)} KiB)`, () => {
  bench("remark parse alone (baseline: unified + remark-parse + gfm + frontmatter)", () => {
    remarkOnly.parse(next());
  }, { iterations: 10, warmupIterations: 2 });

  bench("parsePrd", () => {
    parsePrd(next());
  }, { iterations: 10, warmupIterations: 2 });

  bench("describeTasks", () => {
    describeTasks(next());
  }, { iterations: 10, warmupIterations: 2 });

  bench("toggle 1,000 tasks with setTaskChecked, one after another (includes the first parse)", () => {
    let text = next();
    for (const id of toToggle) text = setTaskChecked(text, id, true);
  }, { iterations: 10, warmupIterations: 2 });
});
