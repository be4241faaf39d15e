import { describe, expect, it } from "vitest";
import { renderTable } from "../src/table.js";

describe("renderTable", () => {
  it("pads every column to its widest cell plus two blanks; the last cell is never padded", () => {
    expect(renderTable(["ID", "NAME", "NOTE"], [["a1", "login", "done"], ["b22", "x", "longer note"]])).toBe(
      ["ID   NAME   NOTE", "a1   login  done", "b22  x      longer note"].join("\n"),
    );
  });

  it("leaves no blanks at a line's end when its last cells are empty or blank", () => {
    const table = renderTable(["A", "B", "C"], [["x", "", ""], ["yy", "  ", " "], ["", "", ""], ["z ", "", ""], ["", "b", ""]]);
    expect(table.split("\n")).toEqual(["A   B   C", "x", "yy", "", "z", "    b"]);
  });

  it("keeps a last cell's leading blanks (an indented title) and clips long cells with an ellipsis", () => {
    const table = renderTable(["K", "TEXT"], [["k", "  nest"], ["abcdefgh", "0123456789"]], 6);
    expect(table.split("\n")).toEqual(["K       TEXT", "k         nest", "abcde…  01234…"]);
  });

  it("renders a header alone, and rows longer than the header", () => {
    expect(renderTable(["ONE", "TWO"], [])).toBe("ONE  TWO");
    expect(renderTable(["A"], [["1", "22", "3"], ["4", "5", "6"]]).split("\n")).toEqual(["A", "1  22  3", "4  5   6"]);
  });
});
