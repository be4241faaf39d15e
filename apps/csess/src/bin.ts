#!/usr/bin/env node
import { main } from "./cli.js";

// `csess status | head -1`: the reader left; that is no error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
