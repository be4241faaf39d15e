// The HTML report of a real run (real tmux, real git, the scripted fake agent as a custom agent:
// honest, liar, 429-requeued, two conflicting writers), opened in a real headless Chromium — Debian's
// /usr/bin/chromium driven by playwright-core, which never downloads a browser. Network requests are
// refused and recorded: the page must need none. The same run feeds the terminal report and csess diff.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitAll, customAgentArgs, makeRunSandbox, taskIds, type CliResult, type RunSandbox } from "./run-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
/** Screenshots are kept here for people to look at (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));

const PRD = `# Report demo

## Work
- [ ] Write the conflict file as alpha
- [ ] Write the conflict file as beta
- [ ] Add the greeting file
- [ ] Say it is done but lie about it
- [ ] Survive a 429 from the provider
`;

interface ReportJson {
  runId: string;
  tasks: Array<{ id: string; title: string; verdict: string; attempts: number; iterations: number; rateLimits: number }>;
  timeline: { pauses: Array<{ from: string; to: string }>; limits: unknown[] };
  html: string;
}

let sandbox: RunSandbox;
let run: CliResult;
let report: ReportJson;
let browser: Browser;

beforeAll(async () => {
  sandbox = makeRunSandbox(PRD);
  await commitAll(sandbox);
  run = await sandbox.csess(["run", "--json", ...customAgentArgs(["--parallel", "4", "--max-iterations", "2"])]);
  report = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ReportJson;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.cleanup();
}, 60_000);

describe("report.html of a real run, in headless Chromium", () => {
  it("is written at the end of the run and shows every task, its verdict, one bar per agent start and the 429 pause", async () => {
    expect(run.code, run.stderr).toBe(1);
    const verdicts = Object.fromEntries(report.tasks.map((t) => [t.title, t.verdict]));
    expect(verdicts).toMatchObject({
      "Add the greeting file": "verified",
      "Say it is done but lie about it": "claimed-unverified",
      "Survive a 429 from the provider": "verified",
    });
    expect([verdicts["Write the conflict file as alpha"], verdicts["Write the conflict file as beta"]].sort()).toEqual(["conflict", "verified"]);
    expect(report.html).toBe(path.join(sandbox.repo, ".git", "csess", "runs", report.runId, "report.html"));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${report.html}`);
    const text = await page.locator("body").innerText();
    for (const t of report.tasks) {
      const row = page.locator(`table.verdicts tr[data-task="${t.id}"]`);
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.locator(".pill").innerText()).toBe(t.verdict);
      expect(await page.locator(`svg.gantt g.row[data-task="${t.id}"] .verdict-label`).textContent()).toBe(t.verdict);
      // One bar per agent start: counted iterations plus the rate-limited attempts that were requeued.
      expect(await page.locator(`svg.gantt g.bar[data-task="${t.id}"]`).count()).toBe(t.attempts);
      expect(t.attempts).toBe(t.iterations + t.rateLimits);
      // Each start links to its output log, which exists next to the report.
      const logs = await row.locator("a.log").evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
      expect(logs).toHaveLength(t.attempts);
      for (const href of logs) expect(readFileSync(fileURLToPath(href), "utf8").length).toBeGreaterThan(0);
    }
    expect(text).toContain("claimed-unverified");
    const limited = report.tasks.find((t) => t.title.includes("429"))!;
    expect(await page.locator(`svg.gantt g.bar.limited[data-task="${limited.id}"]`).count()).toBe(1);
    // The fleet-wide pause after the 429 is shaded, and a marker sits on the concurrency strip.
    expect(report.timeline.pauses.length).toBeGreaterThanOrEqual(1);
    const band = await page.locator("svg.gantt .pause-band rect").first().boundingBox();
    expect(band!.width).toBeGreaterThan(2);
    expect(await page.locator("svg.gantt .limit-marker").count()).toBe(report.timeline.limits.length);
    // The custom agent states no usage: "unknown", not zero.
    expect(await page.locator(`table.verdicts tr[data-task="${limited.id}"] td`).nth(6).innerText()).toBe("unknown");
    expect(requests).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "report-light.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    expect(dark).not.toBe("rgb(255, 255, 255)");
    await page.screenshot({ path: path.join(ARTIFACTS, "report-dark.png"), fullPage: true });
    await page.emulateMedia({ media: "print", colorScheme: "dark" });
    expect(await page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).toBe("rgb(255, 255, 255)");
    await page.close();
  }, 120_000);

  it("csess report --html rewrites it on demand and prints its path", async () => {
    const again = await sandbox.csess(["report", "--html", report.runId]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(report.html);
    const html = readFileSync(report.html, "utf8");
    expect(html).not.toMatch(/(?:src|href)="https?:/);
    const both = await sandbox.csess(["report", "--html", "--json"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--json and --html are alternatives");
  }, 60_000);
});

describe("terminal report of the same run", () => {
  it("fits 100 columns, never cuts a verdict, and wraps the reason", async () => {
    const table = await sandbox.csess(["report", report.runId]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split("\n");
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    for (const t of report.tasks) expect(lines.some((l) => l.startsWith(`${t.verdict} `) && l.includes(t.id))).toBe(true);
    expect(table.stdout).toMatch(/tokens unknown, cost unknown/);
  }, 60_000);
});

describe("csess diff", () => {
  it("shows what a task's branch changed against its base, also after the branch was merged and removed", async () => {
    const ids = await taskIds(sandbox);
    const greeting = ids["Add the greeting file"]!;
    const diff = await sandbox.csess(["diff", greeting]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain(`+++ b/work-${greeting}.txt`);
    expect(diff.stdout).toContain("+Add the greeting file");
    const conflicted = report.tasks.find((t) => t.verdict === "conflict")!;
    const kept = await sandbox.csess(["diff", "--stat", conflicted.id]);
    expect(kept.stdout).toMatch(/shared\.txt \| +\d+ \+/);
  }, 60_000);

  it("says which ids exist when the task is unknown", async () => {
    const wrong = await sandbox.csess(["diff", "zzzzzz"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/no task "zzzzzz" was run in any csess run here; expected a task id or branch/);
    expect(wrong.stderr).toContain(report.tasks[0]!.id);
  }, 60_000);
});
