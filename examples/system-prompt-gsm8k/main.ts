/**
 * System-prompt optimization with the GEPA engine's built-in DefaultAdapter on a GSM8K slice:
 * `optimize({ seedCandidate: { system_prompt }, trainset, valset, taskLM, reflectionLM, maxMetricCalls })`.
 * With an API key it uses real models; offline it uses the simulated LMs of examples/gsm8k-gepa/simulated.ts
 * (deterministic stand-ins whose answers depend on the prompt text), so its scores are not model results.
 */
import { type LanguageModel, LM, optimize } from 'tsdspy';
import { loadGsm8k } from '../data/gsm8k.js';
import { simulatedChatLM, simulatedReflectionLM } from '../gsm8k-gepa/simulated.js';

const toInstance = (e: ReturnType<typeof loadGsm8k>[number]) => ({
  input: e.get('question'),
  answer: e.get('answer'),
  additionalContext: { 'Reference solution': e.get('solution').replace(/<<[^>]*>>/g, '') },
});
const data = loadGsm8k('train');
const trainset = data.slice(0, 30).map(toInstance);
const valset = data.slice(30, 50).map(toInstance);

const real = Boolean(process.env.OPENAI_API_KEY);
let taskLM: LanguageModel;
let reflectionLM: LanguageModel | ((prompt: string) => string);
if (real) {
  taskLM = new LM('openai/gpt-4.1-mini');
  reflectionLM = new LM('openai/gpt-4.1', { temperature: 1 });
  console.log('Running on real models (openai/gpt-4.1-mini, reflection openai/gpt-4.1).\n');
} else {
  taskLM = simulatedChatLM(new Map([...trainset, ...valset].map((d) => [d.input, Number(d.answer)])));
  reflectionLM = simulatedReflectionLM;
  console.log(
    'SIMULATED RUN: no OPENAI_API_KEY, so the task and reflection LMs are deterministic stand-ins; scores are not model results.\n',
  );
}

const result = await optimize({
  seedCandidate: { system_prompt: 'You solve grade-school math word problems. End with "The answer is N."' },
  trainset,
  valset,
  taskLM,
  reflectionLM,
  maxMetricCalls: 150,
  displayProgress: !process.env.CI,
});
console.log(
  `Seed valset score: ${(result.valAggregateScores[0] ?? 0).toFixed(2)}; best: ${result.bestScore.toFixed(2)} (candidate ${result.bestIdx} of ${result.candidates.length})`,
);
console.log(`Metric calls: ${result.totalMetricCalls}`);
console.log(`\nBest system prompt:\n${result.bestCandidate.system_prompt}`);
