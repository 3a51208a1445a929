import { z } from 'zod';
import { exampleData } from '../../src/data/example.js';
import { TsdspyError } from '../../src/errors/index.js';
import type { AnyModule, CallOptions } from '../../src/module/module.js';
import { registerStateExtension, setProgramMetadata } from '../../src/module/state.js';
import { Embedder } from '../../src/retrieval/embedder.js';
import { topK } from '../../src/retrieval/top-k.js';
import { BootstrapFewShot, type BootstrapFewShotOptions } from '../few-shot/bootstrap-few-shot.js';
import { BaseOptimizer, type ExampleLike, OptimizerConfigError } from '../optimizer.js';
import { type DefaultExample, type DefaultPrediction, scalarOptions } from '../shared.js';

export interface KNNFewShotOptions<E = DefaultExample, P = DefaultPrediction> {
  /** Neighbours per call (the demos each call gets). */
  k: number;
  /** Examples to search; defaults to the trainset given to `compile`. */
  trainset?: readonly ExampleLike[];
  /** Embeds each call's inputs and each training example's input fields. */
  embedder: Embedder;
  /**
   * With these, each call bootstraps demos from its k neighbours with BootstrapFewShot (DSPy's behaviour: costs LM
   * calls per call). Without, the neighbours are used as labeled demos.
   */
  fewShotOptions?: BootstrapFewShotOptions<E, P>;
}

/** A KNNFewShot program that cannot find its embedder or training data. */
export class KNNFewShotError extends TsdspyError {}

const EXTENSION = 'knnFewShot';

const savedSchema = z
  .object({
    k: z.number().int().positive(),
    trainset: z.array(z.record(z.string(), z.unknown())),
    embedder: z.object({
      model: z.string().nullable(),
      dimensions: z.number().optional(),
      baseURL: z.string().optional(),
      cacheDir: z.string().nullable().optional(),
    }),
  })
  .strict();

type Saved = z.infer<typeof savedSchema>;

/**
 * DSPy's KNNFewShot: the compiled program, at every call, finds the k training examples nearest to its inputs (by
 * the embedding of their input fields, "key: value | …") and uses them as that call's demos, bootstrapped first when
 * `fewShotOptions` are given. Saved programs keep the training data and the embedder's model, so `load()` restores
 * the behaviour (a program compiled with a local embedding function needs `KNNFewShot.attach(program, embedder)`).
 */
export class KNNFewShot<E = DefaultExample, P = DefaultPrediction> extends BaseOptimizer {
  readonly name = 'KNNFewShot';

  constructor(readonly options: KNNFewShotOptions<E, P>) {
    super();
    if (!options || !Number.isInteger(options.k) || options.k < 1)
      throw new OptimizerConfigError('KNNFewShot needs { k } as a positive integer');
    if (!(options.embedder instanceof Embedder))
      throw new OptimizerConfigError('KNNFewShot needs { embedder: new Embedder(...) }');
  }

  protected async optimize<Q extends AnyModule>(program: Q, trainset: readonly ExampleLike[]): Promise<Q> {
    const examples = this.options.trainset ?? trainset;
    if (!examples.length) throw new OptimizerConfigError('KNNFewShot needs a non-empty trainset');
    const compiled = program.resetCopy();
    const searcher = new NeighbourSearch(examples, this.options.embedder);
    install(compiled, searcher, this.options.k, this.options.fewShotOptions as BootstrapFewShotOptions | undefined);
    const saved: Saved = {
      k: this.options.k,
      trainset: examples.map((e) => ({ ...exampleData(e) })),
      embedder: embedderConfig(this.options.embedder),
    };
    setProgramMetadata(compiled, {
      optimizer: {
        name: this.name,
        options: { k: this.options.k, ...(this.options.fewShotOptions ? scalarOptions(this.options.fewShotOptions) : {}) },
        date: new Date().toISOString(),
      },
      [EXTENSION]: saved,
    });
    return compiled;
  }

  /** Gives a loaded KNNFewShot program its embedder (needed when it was compiled with a local function). */
  static attach(program: AnyModule, embedder: Embedder, fewShotOptions?: BootstrapFewShotOptions): void {
    const state = knnState.get(program);
    if (!state) throw new KNNFewShotError('This program was not compiled or loaded with KNNFewShot.');
    install(program, new NeighbourSearch(state.trainset, embedder), state.k, fewShotOptions);
  }
}

const knnState = new WeakMap<object, { trainset: readonly ExampleLike[]; k: number }>();

function embedderConfig(embedder: Embedder): Saved['embedder'] {
  const { dimensions, baseURL, cacheDir } = embedder.options;
  return {
    model: embedder.model ?? null,
    ...(dimensions ? { dimensions } : {}),
    ...(baseURL ? { baseURL } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  };
}

type Forward = (this: AnyModule, inputs: Record<string, unknown>, options?: CallOptions) => Promise<unknown>;

/** Replaces the program's forward with one that picks demos per call (on a per-call copy, so calls can overlap). */
function install(program: AnyModule, searcher: NeighbourSearch, k: number, fewShot: BootstrapFewShotOptions | undefined): void {
  knnState.set(program, { trainset: searcher.examples, k });
  const forward: Forward = async function (this: AnyModule, inputs, options) {
    const neighbours = await searcher.nearest(inputs, k);
    const base = this.clone();
    delete (base as { forward?: unknown }).forward; // the copy runs the program's own forward
    let perCall: AnyModule = base;
    if (fewShot) {
      perCall = await new BootstrapFewShot({ displayProgress: false, ...fewShot }).compile(base, neighbours);
    } else {
      for (const predictor of perCall.predictors()) predictor.demos = neighbours.map((e) => ({ ...exampleData(e) }));
    }
    return (perCall as unknown as { call(i: unknown, o?: CallOptions): Promise<unknown> }).call(inputs, options);
  };
  // Enumerable, so clones of the compiled program keep the behaviour.
  Object.defineProperty(program, 'forward', { value: forward, enumerable: true, configurable: true, writable: true });
}

/** The k training examples nearest to a call's inputs, by cosine similarity of "key: value | …" texts. */
class NeighbourSearch {
  private readonly byKeys = new Map<string, Promise<Float32Array[]>>();

  constructor(
    readonly examples: readonly ExampleLike[],
    private readonly embedder: Embedder,
  ) {}

  async nearest(inputs: Record<string, unknown>, k: number): Promise<ExampleLike[]> {
    const keys = Object.keys(inputs).filter((key) => inputs[key] !== undefined);
    const signature = JSON.stringify(keys);
    let vectors = this.byKeys.get(signature);
    if (!vectors) {
      vectors = this.embedder.embed(this.examples.map((e) => describe(exampleData(e), keys)));
      this.byKeys.set(signature, vectors);
      vectors.catch(() => this.byKeys.delete(signature));
    }
    const [query, corpus] = await Promise.all([this.embedder.embedOne(describe(inputs, keys)), vectors]);
    const scores = new Float32Array(corpus.length);
    const qNorm = norm(query);
    for (const [i, v] of corpus.entries()) scores[i] = dot(v, query) / (norm(v) * qNorm || 1);
    return topK(scores, k).map((i) => this.examples[i] as ExampleLike);
  }
}

function describe(data: Record<string, unknown>, keys: readonly string[]): string {
  return keys
    .filter((key) => key in data)
    .map((key) => `${key}: ${typeof data[key] === 'string' ? data[key] : JSON.stringify(data[key])}`)
    .join(' | ');
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

registerStateExtension(EXTENSION, (program, raw) => {
  const parsed = savedSchema.safeParse(raw);
  if (!parsed.success) throw new KNNFewShotError(`The saved KNNFewShot settings are damaged: ${z.prettifyError(parsed.error)}`);
  const saved = parsed.data;
  if (saved.embedder.model === null) {
    knnState.set(program, { trainset: saved.trainset, k: saved.k });
    const missing: Forward = async () => {
      throw new KNNFewShotError(
        'This KNNFewShot program was compiled with a local embedding function, which cannot be saved. Call KNNFewShot.attach(program, new Embedder(yourFunction)) after load().',
      );
    };
    Object.defineProperty(program, 'forward', { value: missing, enumerable: true, configurable: true, writable: true });
    return;
  }
  const { model, ...options } = saved.embedder;
  install(program, new NeighbourSearch(saved.trainset, new Embedder(model, options)), saved.k, undefined);
});
