#!/usr/bin/env node
import { cachedHelp } from "./help-cache.js";

// `csess status | head -1`: the reader left; that is no error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// `csess --help` and the like print the text commander rendered at build time, without loading
// commander (a third of a bare node's start-up); everything else, and any doubt, goes to commander.
const help = cachedHelp(process.argv);
if (help !== undefined) {
  process.stdout.write(help);
  process.exitCode = 0;
} else {
  const { main } = await import("./cli.js");
  process.exitCode = await main(process.argv);
}
