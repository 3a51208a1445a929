import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chatReply,
  compareOptimizers,
  Embedder,
  Example,
  KNNFewShot,
  KNNFewShotError,
  LabeledFewShot,
  type LMRequest,
  Predict,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoopbackServer, wordVector } from './support/loopback-server.js';

// Each topic's examples share words, so the nearest neighbours of a question are its own topic's examples.
const trainset = [
  { question: 'What colour is a ripe banana fruit?', answer: 'yellow' },
  { question: 'What colour is a ripe tomato fruit?', answer: 'red' },
  { question: 'How many legs does a spider animal have?', answer: '8' },
  { question: 'How many legs does an ant animal have?', answer: '6' },
  { question: 'Which planet in space is the red planet?', answer: 'Mars' },
  { question: 'Which planet in space is the largest planet?', answer: 'Jupiter' },
].map((d) => new Example(d).withInputs('question'));

const local = () => new Embedder((texts) => texts.map((t) => wordVector(t, 128)));

/** Answers with the answer of the first demo shown, so a test can see which demos a call got. */
function demoEchoLM() {
  return new ScriptedLM((request: LMRequest) => {
    const firstDemo = request.messages.find((m) => m.role === 'assistant')?.content ?? '';
    const answer = /\[\[ ## answer ## \]\]\s*\n(.*)/.exec(firstDemo)?.[1]?.trim() ?? 'none';
    return chatReply({ answer });
  });
}

function shownQuestions(request: LMRequest | undefined): string[] {
  return (request?.messages ?? [])
    .filter((m) => m.role === 'user')
    .slice(0, -1)
    .map((m) => /\[\[ ## question ## \]\]\s*\n(.*)/.exec(m.content)?.[1]?.trim() ?? '');
}

let server: LoopbackServer;
let dir: string;
beforeAll(async () => {
  server = await new LoopbackServer().start();
  dir = await mkdtemp(join(tmpdir(), 'tsdspy-knn-'));
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('KNNFewShot', () => {
  it('gives each call the k training examples nearest to its inputs as demos', async () => {
    const lm = demoEchoLM();
    const program = new Predict('question -> answer');
    const compiled = await new KNNFewShot({ k: 2, trainset, embedder: local() }).compile(program, trainset);
    expect(program.demos).toEqual([]); // the input program is untouched
    const [planet, legs] = await withSettings({ lm }, () =>
      Promise.all([
        compiled.call({ question: 'Which planet in space has rings?' }),
        compiled.call({ question: 'How many legs does a beetle animal have?' }),
      ]),
    );
    const planetRequest = lm.requests.find((r) => r.messages.at(-1)?.content.includes('rings'));
    const legsRequest = lm.requests.find((r) => r.messages.at(-1)?.content.includes('beetle'));
    expect(shownQuestions(planetRequest).sort()).toEqual([
      'Which planet in space is the largest planet?',
      'Which planet in space is the red planet?',
    ]);
    expect(shownQuestions(legsRequest).every((q) => q.includes('legs'))).toBe(true);
    expect(['Mars', 'Jupiter']).toContain(planet.answer);
    expect(['8', '6']).toContain(legs.answer);
    expect(compiled.demos).toEqual([]); // demos are per call, not left on the program
  });

  it('bootstraps the neighbours when fewShotOptions are given (one LM call per neighbour, then the call)', async () => {
    const lm = demoEchoLM();
    const metric = vi.fn(() => 1);
    const compiled = await new KNNFewShot({
      k: 2,
      trainset,
      embedder: local(),
      fewShotOptions: { metric, maxBootstrappedDemos: 2, maxLabeledDemos: 0 },
    }).compile(new Predict('question -> answer'), trainset);
    await withSettings({ lm }, () => compiled.call({ question: 'What colour is a ripe lemon fruit?' }));
    expect(metric).toHaveBeenCalledTimes(2);
    expect(lm.requests).toHaveLength(3);
    expect(shownQuestions(lm.requests[2])).toHaveLength(2);
  });

  it('is restored by load() from the saved program (provider embedder)', async () => {
    const embedder = new Embedder('openai/text-embedding-3-small', {
      baseURL: server.openaiBaseURL,
      cacheDir: join(dir, 'cache'),
    });
    const compiled = await new KNNFewShot({ k: 1, trainset, embedder }).compile(new Predict('question -> answer'), trainset);
    const path = join(dir, 'knn.json');
    await compiled.save(path);
    const loaded = await new Predict('question -> answer').load(path);
    const lm = demoEchoLM();
    const inputs = { question: 'How many legs does a spider animal have exactly?' };
    const [a, b] = await withSettings({ lm }, () => Promise.all([compiled.call(inputs), loaded.call(inputs)]));
    expect(b).toEqual(a);
    expect(a.answer).toBe('8');
    expect(shownQuestions(lm.requests[1])).toEqual(['How many legs does a spider animal have?']);
  });

  it('tells the user to attach a local embedding function after load()', async () => {
    const compiled = await new KNNFewShot({ k: 1, trainset, embedder: local() }).compile(
      new Predict('question -> answer'),
      trainset,
    );
    const path = join(dir, 'knn-local.json');
    await compiled.save(path);
    const loaded = await new Predict('question -> answer').load(path);
    const lm = demoEchoLM();
    await expect(withSettings({ lm }, () => loaded.call({ question: 'q' }))).rejects.toBeInstanceOf(KNNFewShotError);
    KNNFewShot.attach(loaded, local());
    const result = await withSettings({ lm }, () => loaded.call({ question: 'Which planet in space is the red one?' }));
    expect(result.answer).toBe('Mars');
  });

  it('refuses bad options and takes part in compareOptimizers', async () => {
    expect(() => new KNNFewShot({ k: 0, embedder: local() })).toThrow(/positive integer/);
    expect(() => new KNNFewShot({ k: 1, embedder: {} as Embedder })).toThrow(/Embedder/);
    const metric = (ex: { answer: string }, pred: { answer: string }) => (ex.answer === pred.answer ? 1 : 0);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const testset = [
      new Example({ question: 'What colour is a ripe banana fruit today?', answer: 'yellow' }).withInputs('question'),
      new Example({ question: 'Which planet in space is the red planet Mars?', answer: 'Mars' }).withInputs('question'),
    ];
    const comparison = await withSettings({ lm: demoEchoLM() }, () =>
      compareOptimizers({
        program: new Predict('question -> answer'),
        trainset,
        valset: testset,
        testset,
        optimizers: { labeled: new LabeledFewShot({ k: 1, sample: false }), knn: new KNNFewShot({ k: 1, embedder: local() }) },
        metric,
      }),
    );
    log.mockRestore();
    const byName = Object.fromEntries(comparison.rows.map((r) => [r.optimizer, r.testScore]));
    expect(byName.knn).toBe(1);
    expect(byName.labeled).toBe(0.5);
  });
});
