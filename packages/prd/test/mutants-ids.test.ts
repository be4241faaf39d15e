import { hash } from "node:crypto";
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { findTask, ID_PATTERN, parsePrd } from "../src/index.js";
import { titleKey } from "../src/ids.js";
import { propertyRuns } from "./fixtures.js";

const idList = (text: string) => parsePrd(text).tasks.map((t) => t.id);

/** README "Task ids": 6 Crockford base32 characters from the hash of the title key (written from the spec, not imported). */
function plainTitleId(titleKey: string): string {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const bits = Number.parseInt(hash("sha256", titleKey, "hex").slice(0, 8), 16);
  let id = "";
  for (let i = 0; i < 6; i++) id += alphabet[(bits >>> (27 - 5 * i)) & 31];
  return id;
}

describe("ids are pinned across versions", () => {
  // PRDs and run logs keep ids ("(after: 8746xw)", `csess report --task ...`): a release that changed how
  // any id is computed would break every PRD that refers to one. These values are the ids of csess 0.1.
  // "Task 2296" and "Task 3334" have the same title hash ("rd0c2q"), so the second one is rehashed.
  const prd =
    "- [ ] Write tests\n- [ ] Write tests\n  - [ ] Write tests\n\n# Ship\n\n" +
    "- [ ] Task 2296\n- [ ] Task 3334\n- [ ] Write tests\n- [ ] Deploy\n  - [ ] Write tests\n  - [ ] Write tests\n";

  test("a title's first occurrence gets the hash of its title key", () => {
    expect(idList("- [ ] Write tests\n")).toEqual([plainTitleId("write tests")]);
    expect(idList("- [ ] Task 2296\n- [ ] Task 3334\n")[0]).toBe(plainTitleId("task 2296"));
    expect(plainTitleId("task 3334")).toBe(plainTitleId("task 2296")); // the clash the next test relies on
  });

  test("duplicates (no section or parent, a parent, a section, two under one parent) and a rehashed clash keep their ids", () => {
    expect(parsePrd(prd).tasks.map((t) => [t.title, t.id])).toEqual([
      ["Write tests", "8746xw"],
      ["Write tests", "2qqdqv"], // no section, no parent
      ["Write tests", "d51yb5"], // parent "Write tests", no section
      ["Task 2296", "rd0c2q"],
      ["Task 3334", "rz0g0h"], // clashes with "Task 2296": rehashed
      ["Write tests", "68380a"], // section "Ship", no parent
      ["Deploy", "pyynbg"],
      ["Write tests", "pna861"], // section "Ship", parent "Deploy", first
      ["Write tests", "my802m"], // ... second
    ]);
  });

  test("a clash whose first rehash is taken too rehashes again with the next counter", () => {
    // Found by search: "Task 96658" has the title id of "Task 801507", and its first rehash is the
    // title id of "Task 787405" ("441tdx"), so it takes its second rehash.
    expect(plainTitleId("task 96658")).toBe(plainTitleId("task 801507"));
    expect(plainTitleId("task 787405")).toBe("441tdx");
    expect(idList("- [ ] Task 787405\n- [ ] Task 801507\n- [ ] Task 96658\n")).toEqual(["441tdx", plainTitleId("task 801507"), "hm5vde"]);
  });

  test("a clashing task keeps its rehashed id when the clash partner moves below it (the first one gets the plain id)", () => {
    const [later, earlier] = idList("- [ ] Task 3334\n- [ ] Task 2296\n");
    expect(later).toBe("rd0c2q");
    expect(earlier).not.toBe("rd0c2q");
    expect(earlier).toMatch(ID_PATTERN);
  });
});

describe("duplicate ids depend only on their own section and parent", () => {
  test("removing a duplicate in another section keeps the ids of the duplicates below", () => {
    const full = "- [ ] Write tests\n# A\n- [ ] Write tests\n- [ ] Write tests\n# B\n- [ ] Write tests\n- [ ] Write tests\n";
    const fewer = "- [ ] Write tests\n# A\n- [ ] Write tests\n# B\n- [ ] Write tests\n- [ ] Write tests\n";
    const ids = idList(full);
    expect(new Set(ids).size).toBe(5);
    expect(idList(fewer)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
  });

  test("removing a duplicate under another parent keeps the ids of the duplicates below", () => {
    const full = "- [ ] Write tests\n- [ ] Login\n  - [ ] Write tests\n  - [ ] Write tests\n- [ ] Signup\n  - [ ] Write tests\n";
    const fewer = "- [ ] Write tests\n- [ ] Login\n  - [ ] Write tests\n- [ ] Signup\n  - [ ] Write tests\n";
    const ids = idList(full);
    expect(new Set(ids).size).toBe(6);
    expect(idList(fewer)).toEqual([ids[0], ids[1], ids[2], ids[4], ids[5]]);
  });

  test("duplicates before any heading and without parent count among themselves", () => {
    const ids = idList("- [ ] Write tests\n- [ ] Write tests\n- [ ] Write tests\n# A\n- [ ] Write tests\n");
    expect(idList("- [ ] Write tests\n- [ ] Write tests\n- [ ] Write tests\n")).toEqual(ids.slice(0, 3));
    expect(new Set(ids).size).toBe(4);
  });
});

describe("title keys", () => {
  test("an annotation written between two words without spaces still separates them", () => {
    const [plain] = idList("- [ ] Write docs\n");
    expect(idList("- [ ] Write(after: Setup)docs\n- [ ] Setup\n")[0]).toBe(plain);
    expect(idList("- [ ] Writedocs\n")[0]).not.toBe(plain);
  });
});

describe("typed ids", () => {
  // Titles whose ids hold a "0" and a "1" (looked for, not assumed), to type them as "O" and "l"/"I".
  const titles = Array.from({ length: 40 }, (_, i) => `Task ${i}`);
  const tasks = parsePrd(titles.map((t) => `- [ ] ${t}`).join("\n")).tasks;
  const withZero = tasks.find((t) => t.id.includes("0"))!;
  const withOne = tasks.find((t) => t.id.includes("1"))!;

  test("surrounding spaces are ignored", () => {
    expect(findTask(tasks, `  ${tasks[3]!.id}\t`)).toBe(tasks[3]);
  });

  test("o/O is read as 0 and i/I/l/L as 1", () => {
    expect(withZero).toBeDefined();
    expect(withOne).toBeDefined();
    expect(findTask(tasks, withZero.id.replace(/0/g, "O"))).toBe(withZero);
    expect(findTask(tasks, withZero.id.replace(/0/g, "o"))).toBe(withZero);
    expect(findTask(tasks, withOne.id.replace(/1/g, "l"))).toBe(withOne);
    expect(findTask(tasks, withOne.id.replace(/1/g, "I"))).toBe(withOne);
  });

  test("ID_PATTERN matches a whole id only", () => {
    expect(ID_PATTERN.test("k3m9qa")).toBe(true);
    expect(ID_PATTERN.test("xk3m9qa")).toBe(false);
    expect(ID_PATTERN.test("k3m9qax")).toBe(false);
    expect(ID_PATTERN.test("id k3m9qa")).toBe(false);
    expect(ID_PATTERN.test("k3m9qa!")).toBe(false);
  });
});

describe("title keys: the quick path for plain titles folds exactly as the full one", () => {
  /** README "Task ids": annotations dropped, NFC, whitespace runs collapsed, trimmed, lowercase (written from the spec). */
  const fullFold = (title: string) => title.replace(/\(\s*after\s*:([^)]*)\)/gi, " ").normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
  const piece = fc.constantFrom("Add", "LOGIN", " ", "  ", "\t", "\u00a0", "e\u0301", "é", "(after: k3m9qa)", "(", ")", "x", "\n", "Ünï", "\u2028", "-");

  test("on titles made of plain and tricky pieces (spaces, tabs, NBSP, combining marks, annotations)", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join("")), (title) => {
        expect(titleKey(title)).toBe(fullFold(title));
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  test("a plain title keeps its id whatever path it takes: case and inner spacing never change it", () => {
    expect(idList("- [ ] Write Tests\n")).toEqual([plainTitleId("write tests")]);
    expect(idList("- [ ] write  tests (after: k3m9qa)\n")).toEqual([plainTitleId("write tests")]);
    expect(titleKey(" Write tests")).toBe("write tests");
    expect(titleKey("Write tests ")).toBe("write tests");
    expect(titleKey("Write\u00a0tests")).toBe("write tests");
  });
});
