import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chatReply,
  Embedder,
  EmbedderError,
  Embeddings,
  LanceDBRetriever,
  type LMRequest,
  ReAct,
  RetrieverError,
  renderValue,
  retrieverTool,
  ScriptedLM,
  topK,
} from 'tsdspy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScoreKernel } from '../src/retrieval/score-kernel.js';
import { LoopbackServer, wordVector } from './support/loopback-server.js';

const corpus = [
  'The Eiffel Tower is in Paris, France.',
  'Mount Everest is the highest mountain on Earth.',
  'The Pacific is the largest ocean.',
  'Photosynthesis turns sunlight into chemical energy in plants.',
  'The Great Wall of China is thousands of kilometres long.',
];
const local = () => new Embedder((texts) => texts.map((t) => wordVector(t, 64)));

let server: LoopbackServer;
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdspy-retrieval-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  server = await new LoopbackServer().start();
});
afterAll(async () => {
  await server.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
afterEach(() => server.reset());

const embeddingRequests = () => server.requests.filter((r) => r.path.endsWith('/embeddings'));

describe('Embedder over the openai SDK (loopback server)', () => {
  it('batches, keeps order, counts tokens and sends dimensions', async () => {
    const embedder = new Embedder('openai/text-embedding-3-small', {
      baseURL: server.openaiBaseURL,
      batchSize: 2,
      dimensions: 32,
      cache: false,
    });
    const vectors = await embedder.embed(corpus);
    expect(vectors).toHaveLength(5);
    for (const [i, v] of vectors.entries()) expect(Array.from(v)).toEqual(wordVector(corpus[i] as string, 32));
    expect(embeddingRequests()).toHaveLength(3);
    expect(embeddingRequests()[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: 32,
      input: corpus.slice(0, 2),
    });
    expect(embedder.usage.requests).toBe(3);
    expect(embedder.usage.inputTokens).toBe(corpus.reduce((n, t) => n + t.split(/\s+/).length, 0));
  });

  it('caches per text in memory and on disk, keyed by endpoint and key', async () => {
    const cacheDir = await tempDir();
    const options = { baseURL: server.openaiBaseURL, cacheDir, apiKey: 'sk-test-aaaaaaaa' };
    const first = new Embedder('openai/text-embedding-3-small', options);
    await first.embed(corpus.slice(0, 3));
    await first.embed(corpus.slice(0, 3));
    expect(embeddingRequests()).toHaveLength(1);
    expect(first.usage.cachedTexts).toBe(3);

    // A new process (new embedder) with the same settings reads the disk cache: no request.
    const again = new Embedder('openai/text-embedding-3-small', options);
    const cached = await again.embed([corpus[1] as string]);
    expect(Array.from(cached[0] as Float32Array)).toEqual(wordVector(corpus[1] as string, 64));
    expect(embeddingRequests()).toHaveLength(1);

    // Another key or another endpoint never shares entries.
    await new Embedder('openai/text-embedding-3-small', { ...options, apiKey: 'sk-test-bbbbbbbb' }).embed([corpus[1] as string]);
    await new Embedder('openai/text-embedding-3-small', {
      ...options,
      baseURL: server.openaiBaseURL.replace('127.0.0.1', 'localhost'),
    }).embed([corpus[1] as string]);
    expect(embeddingRequests()).toHaveLength(3);

    // No key and no text in clear on disk.
    const files = (await readdir(cacheDir, { recursive: true })).map(String);
    const contents = await Promise.all(files.filter((f) => f.endsWith('.f32')).map((f) => readFile(join(cacheDir, f))));
    for (const bytes of contents) expect(bytes.toString('latin1')).not.toContain('sk-test');
    expect(files.join(' ')).not.toContain('Eiffel');
  });

  it('treats a damaged disk entry as a miss and rewrites it', async () => {
    const cacheDir = await tempDir();
    const make = () => new Embedder('openai/m', { baseURL: server.openaiBaseURL, cacheDir });
    await make().embed(['alpha beta']);
    const files = (await readdir(cacheDir, { recursive: true })).map(String).filter((f) => f.endsWith('.f32'));
    expect(files).toHaveLength(1);
    await writeFile(join(cacheDir, files[0] as string), 'garbage');
    const [v] = await make().embed(['alpha beta']);
    expect(Array.from(v as Float32Array)).toEqual(wordVector('alpha beta', 64));
    expect(embeddingRequests()).toHaveLength(2);
    expect((await readFile(join(cacheDir, files[0] as string))).byteLength).toBe(64 * 4);
  });

  it('retries a server error and fails with a named error after the retries', async () => {
    const embedder = new Embedder('openai/m', { baseURL: server.openaiBaseURL, cache: false, retryBaseMs: 1, numRetries: 1 });
    server.fail({ kind: 'status', status: 500 });
    expect(await embedder.embed(['x'])).toHaveLength(1);
    server.fail({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await expect(embedder.embed(['y'])).rejects.toMatchObject({ name: 'ProviderError', status: 503 });
  });

  it('refuses bad configuration and bad vectors with EmbedderError', async () => {
    expect(() => new Embedder('anthropic/claude')).toThrow(/no embeddings API/);
    expect(() => new Embedder('nope/model')).toThrow(EmbedderError);
    expect(() => new Embedder('openai/m', { batchSze: 3 } as never)).toThrow(/batchSze/);
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    await expect(new Embedder('openai/m', { baseURL: 'https://api.example.invalid/v1' }).embed(['x'])).rejects.toThrow(
      /OPENAI_API_KEY/,
    );
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    await expect(new Embedder(() => [[1, 2]]).embed(['a', 'b'])).rejects.toThrow(/1 vectors for 2 texts/);
    await expect(new Embedder(() => [[1, 2], [1]]).embed(['a', 'b'])).rejects.toThrow(/dimensions/);
    await expect(new Embedder(() => [[1, Number.NaN]]).embed(['a'])).rejects.toThrow(/non-finite/);
  });
});

describe('topK', () => {
  it('agrees with a full sort on random scores with ties', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const scores = Float32Array.from({ length: n }, () => Math.round(random() * 20) / 20);
      const k = 1 + Math.floor(random() * 12);
      const expected = [...scores.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b).slice(0, k);
      expect(topK(scores, k)).toEqual(expected);
    }
  });
});

describe('score kernels', () => {
  it('the WebAssembly SIMD kernel agrees with the JavaScript loop, including padded dimensions and odd batches', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    for (const [n, d] of [
      [37, 5],
      [200, 64],
    ] as const) {
      const matrix = Float32Array.from({ length: n * d }, random);
      const queries = Array.from({ length: 7 }, () => Float32Array.from({ length: d }, random));
      const wasm = createScoreKernel(matrix, n, d, true);
      const js = createScoreKernel(matrix, n, d, false);
      expect(wasm.constructor.name).toBe('WasmKernel');
      const [a, b] = [wasm.score(queries), js.score(queries)];
      for (let q = 0; q < queries.length; q++) {
        for (let r = 0; r < n; r++) expect((a[q] as Float32Array)[r]).toBeCloseTo((b[q] as Float32Array)[r] as number, 5);
      }
      expect(Array.from(wasm.matrix())).toEqual(Array.from(matrix));
    }
  });
});

describe('Embeddings (in-memory retriever)', () => {
  it('finds the nearest passages by cosine similarity, best first', async () => {
    const retriever = new Embeddings({ corpus, embedder: local(), k: 2 });
    const result = await retriever.call('Which mountain is the highest?');
    expect(result.passages[0]).toBe(corpus[1]);
    expect(result.indices[0]).toBe(1);
    expect(result.passages).toHaveLength(2);
    expect(result.scores[0]).toBeGreaterThan(result.scores[1] as number);
    expect((await retriever.call('ocean largest', { k: 1 })).items).toEqual([{ id: '2', text: corpus[2] }]);
  });

  it('answers concurrent queries (searched together) exactly as one at a time', async () => {
    const retriever = new Embeddings({ corpus, embedder: local(), k: 3 });
    const queries = ['Paris tower', 'plants sunlight', 'China wall', 'highest mountain', 'ocean', 'energy'];
    const sequential = [];
    for (const q of queries) sequential.push(await retriever.call(q));
    expect(await Promise.all(queries.map((q) => retriever.call(q)))).toEqual(sequential);
  });

  it('keeps ids and metadata of record items', async () => {
    const retriever = new Embeddings({
      corpus: [
        { id: 'a', text: 'red apples', metadata: { source: 'farm' } },
        { id: 'b', text: 'blue sky' },
      ],
      embedder: local(),
      k: 1,
    });
    expect((await retriever.call('apples')).items).toEqual([{ id: 'a', text: 'red apples', metadata: { source: 'farm' } }]);
  });

  it('saves and loads the index without embedding the corpus again', async () => {
    const dir = await tempDir();
    let calls = 0;
    const counting = () =>
      new Embedder((texts) => {
        calls += texts.length;
        return texts.map((t) => wordVector(t, 64));
      });
    const original = new Embeddings({ corpus, embedder: counting(), k: 2 });
    await original.save(dir);
    expect(calls).toBe(corpus.length);
    const loaded = await Embeddings.load(dir, { embedder: counting() });
    expect(await loaded.call('Great Wall')).toEqual(await original.call('Great Wall'));
    expect(calls).toBe(corpus.length + 2); // only the two queries
  });

  it('refuses damaged or mismatched saved indexes with RetrieverError', async () => {
    const dir = await tempDir();
    await new Embeddings({ corpus, embedder: local() }).save(dir);
    await writeFile(join(dir, 'vectors.f32'), Buffer.alloc(12));
    await expect(Embeddings.load(dir, { embedder: local() })).rejects.toThrow(/vectors\.f32 has 12 bytes/);
    await expect(Embeddings.load(join(dir, 'missing'), { embedder: local() })).rejects.toBeInstanceOf(RetrieverError);

    const other = await tempDir();
    await new Embeddings({ corpus, embedder: new Embedder('openai/a', { baseURL: server.openaiBaseURL, cache: false }) }).save(
      other,
    );
    await expect(
      Embeddings.load(other, { embedder: new Embedder('openai/b', { baseURL: server.openaiBaseURL, cache: false }) }),
    ).rejects.toThrow(/embedded with "openai\/a"/);
    expect(() => new Embeddings({ corpus: [], embedder: local() })).toThrow(RetrieverError);
    expect(() => new Embeddings({ corpus: [42 as never], embedder: local() })).toThrow(/Corpus item 0/);
  });

  it('works as a ReAct tool', async () => {
    const search = retrieverTool(new Embeddings({ corpus, embedder: local(), k: 1 }), { name: 'search_wiki' });
    const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');
    let i = 0;
    const steps = [
      chatReply({ next_thought: 'look it up', next_tool_name: 'search_wiki', next_tool_args: { query: 'Eiffel Tower' } }),
      chatReply({ next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} }),
    ];
    const lm = new ScriptedLM((r) => (isReact(r) ? (steps[i++] as string) : chatReply({ reasoning: 'r', answer: 'Paris' })));
    const agent = new ReAct('question -> answer', { tools: [search], predict: { lm } });
    const result = await agent.call({ question: 'Where is the Eiffel Tower?' });
    expect(renderValue(result.trajectory[0]?.observation)).toContain('The Eiffel Tower is in Paris');
    expect(agent.namedParameters()['tools.search_wiki.description']).toMatch(/Searches the corpus/);
  });
});

describe('LanceDBRetriever (real LanceDB on a temporary directory)', () => {
  it('creates, appends and searches, agreeing with the in-memory retriever', async () => {
    const uri = await tempDir();
    const retriever = new LanceDBRetriever({ uri, table: 'wiki', embedder: local(), k: 2 });
    await expect(retriever.call('x')).rejects.toThrow(/does not exist/);
    await retriever.create(corpus.slice(0, 3));
    await retriever.add([...corpus.slice(3), { id: 'extra', text: 'Penguins live in Antarctica.', metadata: { kind: 'bird' } }]);
    expect(await retriever.count()).toBe(6);

    const memory = new Embeddings({ corpus, embedder: local(), k: 2 });
    for (const query of ['highest mountain', 'sunlight plants energy']) {
      const [db, mem] = [await retriever.call(query), await memory.call(query)];
      expect(db.passages[0]).toBe(mem.passages[0]);
      expect(db.indices[0]).toBe(mem.indices[0]);
      expect(db.scores[0]).toBeCloseTo(mem.scores[0] as number, 4);
    }
    const penguin = await retriever.call('penguins Antarctica', { k: 1 });
    expect(penguin.items).toEqual([{ id: 'extra', text: 'Penguins live in Antarctica.', metadata: { kind: 'bird' } }]);

    // A second retriever on the same directory sees the persisted table.
    const reopened = new LanceDBRetriever({ uri, table: 'wiki', embedder: local() });
    expect(await reopened.count()).toBe(6);
  });
});
