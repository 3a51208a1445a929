/**
 * Child process for the coordinator-resume test: runs the word task on the Redis backend in a run dir and, when
 * asked, SIGKILLs itself shortly after the N-th recorded evaluation (so jobs are in flight when it dies).
 */
import { optimizeAnything, redisBackend } from 'tsdspy';
import { WORD_MODULE, wordOptions } from './word-task.js';

const [url, queue, runDir, killArg] = process.argv.slice(2) as [string, string, string, string];
const killAt = Number(killArg);
let recorded = 0;
const result = await optimizeAnything({
  ...wordOptions,
  runDir,
  backend: redisBackend({ url, queue, module: WORD_MODULE }),
  callbacks: [
    {
      budgetUpdated: () => {
        recorded++;
        if (recorded === killAt) setTimeout(() => process.kill(process.pid, 'SIGKILL'), 40);
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    bestCandidate: result.bestCandidate,
    candidates: result.candidates,
    totalMetricCalls: result.metadata.totalMetricCalls,
    scores: result.gepa.valAggregateScores,
  }),
);
process.exit(0);
