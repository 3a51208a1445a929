/**
 * Full program evolution: GEPA rewrites a whole tsdspy program source (signatures, modules, control flow), and every
 * candidate runs in the sandbox pool. Seed: a single Predict step on GSM8K questions. With OPENAI_API_KEY both LMs are
 * real; offline they are clearly labelled simulated stand-ins (see simulated.ts), so the scores show the mechanics,
 * not model accuracy.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { configure, defaultPool, GEPA, type LanguageModel, LM, numbersMatch, ProgramSource } from 'tsdspy';
import { loadGsm8k } from '../data/gsm8k.js';
import { simulatedTaskLM } from '../gsm8k-gepa/simulated.js';
import { simulatedProgramReflection } from './simulated.js';

const train = loadGsm8k('train');
const trainset = train.slice(0, 20);
const valset = train.slice(20, 40);

const real = Boolean(process.env.OPENAI_API_KEY);
let reflectionLM: LanguageModel | ((prompt: string) => string);
if (real) {
  configure({ lm: new LM('openai/gpt-4.1-mini') });
  reflectionLM = new LM('openai/gpt-4.1', { temperature: 1, maxTokens: 8000 });
  console.log('Running on real models: task openai/gpt-4.1-mini, reflection openai/gpt-4.1.\n');
} else {
  configure({ lm: simulatedTaskLM(new Map([...trainset, ...valset].map((e) => [e.get('question'), Number(e.get('answer'))]))) });
  reflectionLM = simulatedProgramReflection;
  console.log(
    'SIMULATED RUN: no OPENAI_API_KEY, so the task and reflection LMs are deterministic stand-ins; programs really run in the sandbox, but the scores are not model results.\n',
  );
}

const metric = (example: Record<string, unknown>, prediction: { answer?: unknown }) => {
  const ok = numbersMatch(prediction.answer, example.answer);
  return {
    score: ok ? 1 : 0,
    feedback: ok ? 'Correct.' : `Incorrect: expected ${example.answer}, got ${String(prediction.answer)}.`,
  };
};

const seed = await ProgramSource.fromFile(new URL('./program.ts', import.meta.url).pathname);
const gepa = new GEPA({
  metric,
  maxMetricCalls: 120,
  reflectionLM,
  reflectionMinibatchSize: 4,
  displayProgress: !process.env.CI,
});
const best = await gepa.compile(seed, trainset, valset);
const optimizer = best.metadata.optimizer as { seedScore: number; bestScore: number; metricCalls: number };

console.log(`Valset score: seed ${(optimizer.seedScore * 100).toFixed(1)}% → best ${(optimizer.bestScore * 100).toFixed(1)}%`);
console.log(`Metric calls: ${optimizer.metricCalls}; sandbox processes started: ${defaultPool().spawnCount}`);
console.log('\nProgram diff (seed → best):');
for (const part of diffLines(seed.source, best.source)) {
  const mark = part.added ? '+ ' : part.removed ? '- ' : '  ';
  if (part.added || part.removed)
    process.stdout.write(
      `${part.value
        .split('\n')
        .filter(Boolean)
        .map((l) => `${mark}${l}`)
        .join('\n')}\n`,
    );
}
const path = join(await mkdtemp(join(tmpdir(), 'math-program-')), 'best-program.json');
await best.save(path);
console.log(`\nSaved to ${path}`);
await defaultPool().close();
