#!/usr/bin/env node
import { buildCli } from './program.js';

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`tsdspy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
