import { describe, expect, test } from "vitest";
import { describeTasks, findTask, ID_PATTERN, parsePrd, PrdError, UnknownTaskIdError } from "../src/index.js";
import { thrown } from "./fixtures.js";

// What a person sees after mistyping a task id or a dependency: the nearest tasks, best first, and
// errors that say what was expected.
const suggestions = (text: string, typed: string) => (thrown(() => findTask(parsePrd(text).tasks, typed)) as UnknownTaskIdError).suggestions;

describe("nearest tasks for an unknown id", () => {
  const prd = "- [ ] Add login page\n- [ ] Deploy to staging\n- [ ] Write docs\n";
  const [login, deploy, docs] = parsePrd(prd).tasks;

  test("an id within two typos is suggested; three typos away is not", () => {
    expect(suggestions(prd, `${login!.id.slice(0, 4)}zz`)).toEqual([`${login!.id} "Add login page"`]);
    expect(suggestions(prd, `${login!.id.slice(0, 3)}zzz`)).toEqual([]);
  });

  test("a title contained in the input's words (3 characters or more), or a title with a typo", () => {
    expect(suggestions(prd, "docs")).toEqual([`${docs!.id} "Write docs"`]);
    expect(suggestions(prd, "do")).toEqual([]);
    expect(suggestions(prd, "write docz")).toEqual([`${docs!.id} "Write docs"`]);
    expect(suggestions(prd, "Deploy to stagin")).toEqual([`${deploy!.id} "Deploy to staging"`]);
    expect(suggestions(prd, "Dploy to stagng")).toEqual([`${deploy!.id} "Deploy to staging"`]);
  });

  test("a short title is matched within two typos", () => {
    expect(suggestions("- [ ] Ship\n", "Shop")).toHaveLength(1);
    expect(suggestions("- [ ] Ship\n", "Sxxp")).toHaveLength(1);
    expect(suggestions("- [ ] Ship\n", "Sxxx")).toHaveLength(0);
  });

  test("a long title is matched within a quarter of its length in typos, even 8 characters shorter", () => {
    const title = "Implement the payment webhook handler now"; // 41 characters: up to 10 typos
    const typed = [...title].filter((_, i) => i % 5 !== 4).join("").slice(0, title.length - 8);
    expect(typed.length).toBe(title.length - 8);
    expect(suggestions(`- [ ] ${title}\n`, typed)).toHaveLength(1);
    expect(suggestions(`- [ ] ${title}\n`, typed.slice(0, -1))).toHaveLength(0);
  });

  test("best first: a title containing the input before one with a typo; at most five", () => {
    const text = "- [ ] Write docx\n- [ ] Write docs now\n";
    const [docx, now] = parsePrd(text).tasks;
    expect(suggestions(text, "write docs")).toEqual([`${now!.id} "Write docs now"`, `${docx!.id} "Write docx"`]);
    const many = Array.from({ length: 7 }, (_, i) => `- [ ] Write docs ${i}`).join("\n");
    expect(suggestions(many, "write docs")).toHaveLength(5);
  });

  test("the error names the input, what an id looks like with a real id, and the suggestions", () => {
    const error = thrown(() => findTask(parsePrd(prd).tasks, "docs")) as UnknownTaskIdError;
    expect(error).toBeInstanceOf(UnknownTaskIdError);
    expect(error).toBeInstanceOf(PrdError);
    expect(error.name).toBe("UnknownTaskIdError");
    expect(error.taskId).toBe("docs");
    expect(error.message).toBe(
      `Unknown task id "docs": no task in the PRD has it.\n` +
        `Expected a task id as listed by \`csess tasks PRD.md\`: 6 characters from 0-9 and a-z, e.g. "${login!.id}".\n` +
        `Nearest matches: ${docs!.id} "Write docs".`,
    );
    expect(thrown(() => findTask([], "abc")).message).toBe(
      `Unknown task id "abc": no task in the PRD has it.\nExpected a task id as listed by \`csess tasks PRD.md\`: (this PRD has no tasks) 6 characters from 0-9 and a-z, e.g. "k3m9qa".`,
    );
  });
});

describe("dependency errors say which task, which line and what is expected", () => {
  test("no such task", () => {
    const text = "- [ ] Alpha\n- [ ] B (after: Alpah)\n";
    const [a, b] = parsePrd(text).tasks;
    const error = thrown(() => describeTasks(text));
    expect(error).toBeInstanceOf(PrdError);
    expect(error.name).toBe("PrdError");
    expect(error.message).toBe(
      `Task ${b!.id} "B (after: Alpah)" (line 2) has "(after: Alpah)", but no task has that id or title. ` +
        `Expected task ids or exact titles, comma-separated, e.g. "(after: ${a!.id})". Nearest: ${a!.id} "Alpha".`,
    );
    expect(thrown(() => describeTasks("- [ ] Alpha\n- [ ] B (after: zzzzzzzzzz)\n")).message).toMatch(/e\.g\. "\(after: \w{6}\)"\.$/);
  });

  test("a title two tasks share", () => {
    const text = "- [ ] A\n- [ ] A\n- [ ] B (after: a)\n";
    const [a1, a2, b] = parsePrd(text).tasks;
    expect(thrown(() => describeTasks(text)).message).toBe(
      `Task ${b!.id} "B (after: a)" (line 3) has "(after: a)", but 2 tasks have that title (${a1!.id}, ${a2!.id}). ` +
        `Expected task ids, comma-separated, e.g. "(after: ${a1!.id})".`,
    );
  });

  test("itself", () => {
    const text = "- [ ] B (after: B)\n";
    const [b] = parsePrd(text).tasks;
    expect(thrown(() => describeTasks(text)).message).toBe(
      `Task ${b!.id} "B (after: B)" (line 1) has "(after: B)": a task cannot wait for itself. Expected task ids or exact titles, comma-separated, e.g. "(after: k3m9qa)".`,
    );
  });

  test("empty refs between commas are skipped, refs are trimmed", () => {
    const text = "- [ ] A\n- [ ] B\n- [ ] C (after:  A ,, b ,)\n";
    const [a, b] = parsePrd(text).tasks;
    expect(describeTasks(text)[2]!.after).toEqual([a!.id, b!.id]);
  });
});

describe("id clashes", () => {
  // "task 2296" and "task 3334" hash to the same 30 bits: the first keeps its id, the second gets another.
  test("two titles whose hashes clash get distinct ids; the first keeps the id it has alone", () => {
    const [alone] = parsePrd("- [ ] Task 2296\n").tasks;
    const [first, second] = parsePrd("- [ ] Task 2296\n- [ ] Task 3334\n").tasks;
    const [secondAlone] = parsePrd("- [ ] Task 3334\n").tasks;
    expect(first!.id).toBe(alone!.id);
    expect(secondAlone!.id).toBe(alone!.id); // the clash itself
    expect(second!.id).not.toBe(first!.id);
    expect(second!.id).toMatch(ID_PATTERN);
    expect(parsePrd("# Other\n\n- [ ] New\n\n- [ ] Task 2296\n- [ ] Task 3334\n").tasks.slice(1).map((t) => t.id)).toEqual([first!.id, second!.id]);
  });
});
