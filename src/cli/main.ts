#!/usr/bin/env node
import { buildCli } from './program.js';

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // One line, no stack trace: the messages say what to do.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tsdspy: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 1;
  });
