import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { bench, describe } from "vitest";
import { describeTasks, parsePrd, setTaskChecked } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { generatePrd } from "./generate.js";

// Two different texts, alternated, so parsePrd's one-entry memo never answers for the parse benches.
const lf = generatePrd(10_000);
const crlf = lf.replace(/\n/g, "\r\n");
let flip = false;
const next = () => ((flip = !flip) ? lf : crlf);

const open = parsePrd(lf).tasks.filter((t) => !t.checked).map((t) => t.id);
const toToggle = open.filter((_, i) => i % Math.floor(open.length / 1000) === 0).slice(0, 1000);
const remarkOnly = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ["yaml"]).freeze();
const slow = { iterations: 3, warmupIterations: 1 };
const fast = { iterations: 10, warmupIterations: 2 };

describe(`10,000-task PRD (${(lf.length / 1024).toFixed(0)} KiB, ${toToggle.length} toggles)`, () => {
  bench("parsePrd", () => void parsePrd(next()), fast);
  bench("describeTasks", () => void describeTasks(next()), fast);
  bench("toggle 1,000 tasks: setTaskChecked one after another, from a cold parse", () => {
    let text = next();
    for (const id of toToggle) text = setTaskChecked(text, id, true);
  }, fast);
  bench("reference: remark parse of the whole document at once (no chunks)", () => void remarkOnly.parse(next()), slow);
  bench("reference: parsePrd's work without chunking", () => void parseFresh(next(), Infinity), slow);
});
