/**
 * RAG optimized with GEPA: a program writes a search query, retrieves passages from an in-memory `Embeddings`
 * index, and answers from them; GEPA rewrites both steps' instructions from the metric's feedback.
 * With OPENAI_API_KEY set it runs on real models and real embeddings; offline it runs on clearly labelled
 * simulated LMs and embeddings (see simulated.ts) that show the mechanics, not model results.
 */
import { readFileSync } from 'node:fs';
import {
  ChainOfThought,
  configure,
  Embedder,
  Embeddings,
  Evaluate,
  Example,
  GEPA,
  type LanguageModel,
  LM,
  Module,
  Predict,
  type Retriever,
} from 'tsdspy';
import { simulatedEmbedder, simulatedReflectionLM, simulatedTaskLM } from './simulated.js';

interface Row {
  id: string;
  text: string;
  answer_q: string;
  answer: string;
}
const rows = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8')) as Row[];
const examples = rows.map((r) => new Example({ question: r.answer_q, answer: r.answer }).withInputs('question'));
const [trainset, valset, testset] = [examples.slice(0, 8), examples.slice(8, 16), examples.slice(16)];

const real = Boolean(process.env.OPENAI_API_KEY);
let taskLM: LanguageModel;
let reflectionLM: LanguageModel | ((prompt: string) => string);
let embedder: Embedder;
if (real) {
  taskLM = new LM('openai/gpt-4.1-mini');
  reflectionLM = new LM('openai/gpt-4.1', { temperature: 1, maxTokens: 4000 });
  embedder = new Embedder('openai/text-embedding-3-small');
  console.log(
    'Running on real models: task openai/gpt-4.1-mini, reflection openai/gpt-4.1, embeddings text-embedding-3-small.\n',
  );
} else {
  taskLM = simulatedTaskLM(new Map(rows.map((r) => [r.answer_q, r.answer])));
  reflectionLM = simulatedReflectionLM;
  embedder = simulatedEmbedder();
  console.log(
    'SIMULATED RUN: no API key is set, so the LMs and the embeddings are deterministic stand-ins (examples/rag-gepa/simulated.ts).',
  );
  console.log('The scores below show how GEPA learns from feedback; they are not the accuracy of any model.\n');
}
configure({ lm: taskLM });

class RAG extends Module<{ question: string }, { answer: string; query: string; context: string[] }> {
  generateQuery = new Predict('question -> query "what to search for"');
  respond = new ChainOfThought('question, context: string[] -> answer');

  constructor(private readonly retriever: Retriever) {
    super();
  }

  async forward({ question }: { question: string }) {
    const { query } = await this.generateQuery.call({ question });
    const { passages } = await this.retriever.call(query, { k: 2 });
    const { answer } = await this.respond.call({ question, context: passages });
    return { answer, query, context: passages };
  }
}

const normalize = (s: unknown) =>
  String(s ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, '')
    .trim();
const metric = (example: Record<string, unknown>, prediction: { answer: string; query: string; context: string[] }) => {
  const gold = String(example.answer);
  if (normalize(prediction.answer) === normalize(gold)) return { score: 1, feedback: 'Correct.' };
  const found = prediction.context.some((p) => normalize(p).includes(normalize(gold)));
  return {
    score: 0,
    feedback: found
      ? `Incorrect: the answer should be the exact words from the context, "${gold}"; got "${prediction.answer}".`
      : `Incorrect: retrieval missed. The passages found for the query "${prediction.query}" do not mention "${gold}"; a query naming the question's key names and nouns would find it.`,
  };
};

const retriever = new Embeddings({ corpus: rows.map((r) => ({ id: r.id, text: r.text })), embedder, k: 2 });
const program = new RAG(retriever);
const evaluate = (devset: typeof testset) => new Evaluate({ devset, metric, concurrency: 4, displayProgress: false });

const baseline = await evaluate(testset).run(program);
console.log(`Baseline test score: ${baseline.score.toFixed(1)}%`);

const gepa = new GEPA({ metric, maxMetricCalls: 160, reflectionLM, reflectionMinibatchSize: 3, seed: 0, displayProgress: false });
const optimized = await gepa.compile(program, trainset, valset);
const final = await evaluate(testset).run(optimized);

console.log(`Final test score:    ${final.score.toFixed(1)}%`);
console.log(`Metric calls used:   ${optimized.detailedResults?.totalMetricCalls} (budget ${gepa.lastBudget})`);
console.log(`\nEvolved query instructions:\n${optimized.generateQuery.instructions}\n`);
console.log(`Evolved answer instructions:\n${optimized.respond.predict.instructions}`);
