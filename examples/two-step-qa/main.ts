/**
 * A two-step QA program: write a search query, retrieve passages from a tiny in-memory corpus,
 * then answer with chain of thought. Runs offline on a ScriptedLM whose replies are computed
 * from the prompt, so everything below the banner is simulated, not a model's output.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainOfThought, captureTrace, chatReply, configure, Module, Predict, ScriptedLM } from 'tsdspy';
import { exampleLM } from '../lm.js';

const CORPUS = [
  'The Eiffel Tower is in Paris and was completed in 1889.',
  'Mount Everest is 8849 metres tall.',
  'The Amazon river flows through Brazil, Peru and Colombia.',
  'Ada Lovelace wrote the first published computer program in 1843.',
];

function retrieve(query: string, k = 2): string[] {
  const words = query
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 3);
  const scored = CORPUS.map((passage) => ({ passage, hits: words.filter((w) => passage.toLowerCase().includes(w)).length }));
  return scored
    .sort((a, b) => b.hits - a.hits)
    .slice(0, k)
    .map((s) => s.passage);
}

class TwoStepQA extends Module<{ question: string }, { answer: string; passages: string[] }> {
  generateQuery = new Predict('question -> query "keywords to search for"', {});
  answer = new ChainOfThought('question, passages: string[] -> answer "a short factual answer"');

  async forward({ question }: { question: string }) {
    const { query } = await this.generateQuery.call({ question });
    const passages = retrieve(query);
    const { answer } = await this.answer.call({ question, passages });
    return { answer, passages };
  }
}

/** Simulated LM: a query is the question's capitalised and long words; an answer is the best-matching passage. */
const simulatedLM = new ScriptedLM((request) => {
  const prompt = request.messages.at(-1)?.content ?? '';
  const question = /\[\[ ## question ## \]\]\n(.*)/.exec(prompt)?.[1] ?? '';
  if (prompt.includes('`[[ ## query ## ]]`')) {
    return chatReply({
      query: question
        .split(/\W+/)
        .filter((w) => w.length > 4 || /^[A-Z]/.test(w))
        .join(' '),
    });
  }
  const passages = JSON.parse(/\[\[ ## passages ## \]\]\n(.*)/.exec(prompt)?.[1] ?? '[]') as string[];
  return chatReply({ reasoning: `The first passage is the most relevant: "${passages[0]}"`, answer: passages[0] ?? 'unknown' });
});

async function main() {
  console.log('tsdspy example: two-step QA');
  const { lm } = exampleLM(simulatedLM, 'simulated replies computed from each prompt');
  configure({ lm });

  const program = new TwoStepQA();
  program.generateQuery.instructions = 'Write a short keyword query that would find the answer.';
  console.log(
    'Predictors:',
    program
      .namedPredictors()
      .map(([name]) => name)
      .join(', '),
  );

  for (const question of ['How tall is Mount Everest?', 'When was the Eiffel Tower completed?']) {
    const { result, trace } = await captureTrace(() => program.call({ question }));
    console.log(`\nQ: ${question}\nA: ${result.answer}`);
    for (const step of trace) console.log(`   ${step.predictorName}: ${JSON.stringify(step.outputs).slice(0, 100)}`);
  }

  const path = join(await mkdtemp(join(tmpdir(), 'tsdspy-example-')), 'two-step-qa.json');
  await program.save(path, { example: 'two-step-qa' });
  const reloaded = await new TwoStepQA().load(path);
  console.log(`\nSaved to ${path} and reloaded; instructions kept: "${reloaded.generateQuery.instructions}"`);
  console.log(
    lm === simulatedLM
      ? `LM calls made: ${simulatedLM.callCount} (all simulated).`
      : `LM usage: ${JSON.stringify((lm as { usage?: unknown }).usage)}`,
  );
}

await main();
