import { describe, expect, test, vi } from "vitest";

// What a person on a Node without require() of ES modules sees: loading the markdown parser fails
// there with ERR_REQUIRE_ESM. The loader is replaced by one failing like that (or otherwise).
let failure: NodeJS.ErrnoException | undefined;
vi.mock("node:module", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:module")>();
  return {
    ...original,
    createRequire: (from: string | URL) => {
      const real = original.createRequire(from);
      return Object.assign((id: string) => {
        if (failure) throw failure;
        return real(id);
      }, real);
    },
  };
});

const { parsePrd } = await import("../src/index.js");

// A block quote: the line scanner declines it, so micromark must be loaded.
const needsMicromark = "> - [ ] quoted\n";

describe("loading the markdown parser", () => {
  test("on a Node without require(esm), the error says which Node versions work", () => {
    failure = Object.assign(new Error("require() of ES Module unified not supported."), { code: "ERR_REQUIRE_ESM" });
    expect(() => parsePrd(needsMicromark)).toThrow(
      `reading this PRD needs the markdown parser, which needs Node ^20.19 or >= 22.12 (this is ${process.version}): ` +
        `require() of ES Module unified not supported.`,
    );
  });

  test("any other loading error is passed on as it is", () => {
    failure = Object.assign(new Error("Cannot find module 'unified'"), { code: "MODULE_NOT_FOUND" });
    expect(() => parsePrd(needsMicromark)).toThrow(failure);
    const noCode = new Error("disk on fire");
    failure = noCode;
    expect(() => parsePrd(needsMicromark)).toThrow(noCode);
  });

  test("a PRD the line scanner reads needs no markdown parser at all", () => {
    failure = Object.assign(new Error("must not load"), { code: "ERR_REQUIRE_ESM" });
    expect(parsePrd("# Plan\n\n- [ ] a\n").tasks.map((t) => t.title)).toEqual(["a"]);
  });

  test("once loading works, the same PRD parses", () => {
    failure = undefined;
    expect(parsePrd(needsMicromark).tasks.map((t) => t.title)).toEqual(["quoted"]);
  });
});
