/** Child process for the resume tests: runs the resume task in a run dir and SIGKILLs itself at event N. */
import { optimize } from 'tsdspy';
import { resumeOptions } from './resume-task.js';

const [runDir, killAtArg] = process.argv.slice(2);
const killAt = Number(killAtArg ?? -1);
let events = 0;
const options = resumeOptions(runDir);
const result = await optimize({
  ...options,
  callbacks: [
    {
      onEvent: () => {
        events++;
        if (events === killAt) process.kill(process.pid, 'SIGKILL');
      },
    },
  ],
});
process.stdout.write(JSON.stringify(result.toJSON()));
