/**
 * Compare optimizers side by side on a GSM8K slice: baseline, LabeledFewShot, BootstrapFewShot, COPRO, MIPROv2 and
 * GEPA, each compiling the same ChainOfThought program. With OPENAI_API_KEY it runs on real models; offline it runs
 * on clearly labelled simulated LMs (examples/gsm8k-gepa/simulated.ts): the table then shows how each optimizer's
 * mechanics play out, not how well any model does.
 */
import {
  BootstrapFewShot,
  ChainOfThought,
  COPRO,
  compareOptimizers,
  configure,
  GEPA,
  LabeledFewShot,
  type LanguageModel,
  LM,
  MIPROv2,
  numbersMatch,
} from 'tsdspy';
import { loadGsm8k } from '../data/gsm8k.js';
import { simulatedPromptModel, simulatedReflectionLM, simulatedTaskLM } from '../gsm8k-gepa/simulated.js';

const train = loadGsm8k('train');
const trainset = train.slice(0, 24);
const valset = train.slice(24, 44);
const testset = loadGsm8k('test').slice(0, 40);

const real = Boolean(process.env.OPENAI_API_KEY);
let taskLM: LanguageModel;
let promptModel: LanguageModel;
let reflectionLM: LanguageModel | ((prompt: string) => string);
if (real) {
  taskLM = new LM('openai/gpt-4.1-mini');
  promptModel = new LM('openai/gpt-4.1', { temperature: 1 });
  reflectionLM = promptModel;
  console.log('Running on real models: task openai/gpt-4.1-mini, proposals and reflection openai/gpt-4.1.\n');
} else {
  taskLM = simulatedTaskLM(
    new Map([...trainset, ...valset, ...testset].map((e) => [e.get('question'), Number(e.get('answer'))])),
  );
  promptModel = simulatedPromptModel();
  reflectionLM = simulatedReflectionLM;
  console.log(
    'SIMULATED RUN: no OPENAI_API_KEY, so the task, proposal and reflection LMs are deterministic stand-ins; the scores compare optimizer mechanics, not models.\n',
  );
}
configure({ lm: taskLM });

const metric = (example: Record<string, unknown>, prediction: { answer?: unknown }) => {
  const ok = numbersMatch(prediction.answer, example.answer);
  return {
    score: ok ? 1 : 0,
    feedback: ok ? 'Correct.' : `Incorrect: expected ${example.answer}, got ${String(prediction.answer)}.`,
  };
};

const comparison = await compareOptimizers({
  program: new ChainOfThought('question -> answer "the final number only"'),
  trainset,
  valset,
  testset,
  metric,
  optimizers: {
    labeled: new LabeledFewShot({ k: 4 }),
    bootstrap: new BootstrapFewShot({ metric, maxBootstrappedDemos: 3, maxLabeledDemos: 3 }),
    copro: new COPRO({ metric, promptModel, breadth: 4, depth: 2 }),
    mipro: new MIPROv2({
      metric,
      promptModel,
      numCandidates: 4,
      numTrials: 8,
      minibatchSize: 10,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 2,
    }),
    gepa: new GEPA({ metric, maxMetricCalls: 200, reflectionLM, displayProgress: false }),
  },
});
console.log(`\nBest on the test slice: ${comparison.best?.optimizer}`);
