/**
 * GEPA on GSM8K: a ChainOfThought math program, baseline Evaluate → GEPA compile → Evaluate → save.
 * With OPENAI_API_KEY or ANTHROPIC_API_KEY set it runs on a real provider; offline it runs on clearly labelled
 * simulated LMs (see simulated.ts) that show the improvement mechanics, not model results.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainOfThought, configure, Evaluate, GEPA, type LanguageModel, LM, numbersMatch } from 'tsdspy';
import { loadGsm8k } from '../data/gsm8k.js';
import { simulatedReflectionLM, simulatedTaskLM } from './simulated.js';

const train = loadGsm8k('train');
const trainset = train.slice(0, 40);
const valset = train.slice(40, 70);
const testset = loadGsm8k('test').slice(0, 50);

const real = Boolean(process.env.OPENAI_API_KEY || process.env.ANTHROPIC_API_KEY);
let taskLM: LanguageModel;
let reflectionLM: LanguageModel | ((prompt: string) => string);
if (real) {
  taskLM = new LM(process.env.OPENAI_API_KEY ? 'openai/gpt-4.1-mini' : 'anthropic/claude-haiku-4-5');
  reflectionLM = new LM(process.env.OPENAI_API_KEY ? 'openai/gpt-4.1' : 'anthropic/claude-sonnet-4-5', {
    temperature: 1,
    maxTokens: 8000,
  });
  console.log(`Running on real models: task ${taskLM.model}, reflection ${(reflectionLM as LanguageModel).model}.\n`);
} else {
  const gold = new Map([...trainset, ...valset, ...testset].map((e) => [e.get('question'), Number(e.get('answer'))]));
  taskLM = simulatedTaskLM(gold);
  reflectionLM = simulatedReflectionLM;
  console.log(
    'SIMULATED RUN: no API key is set, so the task and reflection LMs are deterministic stand-ins (examples/gsm8k-gepa/simulated.ts).',
  );
  console.log('The scores below show how GEPA learns from feedback; they are not the accuracy of any model.\n');
}
configure({ lm: taskLM });

const metric = (example: Record<string, unknown>, prediction: { answer?: unknown; reasoning?: unknown }) => {
  const ok = numbersMatch(prediction.answer, example.answer);
  return {
    score: ok ? 1 : 0,
    feedback: ok
      ? `Correct: the answer is ${example.answer}.`
      : `Incorrect: expected ${example.answer}, got ${String(prediction.answer)}. Reference solution:\n${String(example.solution).replace(/<<[^>]*>>/g, '')}`,
  };
};

const program = new ChainOfThought('question -> answer "the final number only"');
const evaluate = (devset: typeof testset) => new Evaluate({ devset, metric, concurrency: 8, displayProgress: false });
const baseline = await evaluate(testset).run(program);
console.log(`Baseline test score: ${baseline.score.toFixed(1)}%`);

const gepa = new GEPA({
  metric,
  maxMetricCalls: real ? 400 : 240,
  reflectionLM,
  reflectionMinibatchSize: 3,
  seed: 0,
  displayProgress: !process.env.CI,
  // `npm run example -- runs/gsm8k` keeps the run dir: look at it with `npx tsdspy report runs/gsm8k --open`.
  ...(process.argv[2] ? { runDir: process.argv[2] } : {}),
});
const optimized = await gepa.compile(program, trainset, valset);
const final = await evaluate(testset).run(optimized);
const details = optimized.detailedResults;

console.log(`Final test score:    ${final.score.toFixed(1)}%`);
console.log(
  `Metric calls used:   ${details?.totalMetricCalls} (budget ${gepa.lastBudget}); candidates accepted: ${details?.candidates.length}`,
);
console.log(`Valset scores by candidate: ${details?.valAggregateScores.map((s) => s.toFixed(2)).join(', ')}`);
console.log(`\nEvolved instruction:\n${optimized.predict.instructions}\n`);

const path = join(await mkdtemp(join(tmpdir(), 'gsm8k-gepa-')), 'optimized.json');
await optimized.save(path);
console.log(`Saved to ${path}`);
