import { z } from 'zod';
import { exampleData } from '../../src/data/example.js';
import { errorMessage, errorName } from '../../src/evaluate/failures.js';
import type { Metric } from '../../src/evaluate/metric.js';
import type { LanguageModel } from '../../src/lm/types.js';
import { asProposer } from '../../src/lm/usage-meter.js';
import { logger } from '../../src/logger/logger.js';
import type { AnyModule } from '../../src/module/module.js';
import { Predict } from '../../src/module/predict.js';
import { setProgramMetadata } from '../../src/module/state.js';
import { validateOptions, zFunction, zObject } from '../../src/options/validate.js';
import { withSettings } from '../../src/settings/settings.js';
import { signature } from '../../src/signature/signature.js';
import { BootstrapFewShot } from '../few-shot/bootstrap-few-shot.js';
import { labeledDemos } from '../few-shot/labeled-few-shot.js';
import { Rng, seedState } from '../gepa/rng.js';
import { mean } from '../gepa/state.js';
import { BaseOptimizer, type ExampleLike, OptimizerConfigError } from '../optimizer.js';
import { optimizerProgress } from '../progress.js';
import { type DefaultExample, type DefaultPrediction, eraseMetric, scalarOptions, scoreProgram } from '../shared.js';
import { TPESampler } from './tpe.js';

export type MIPROAuto = 'light' | 'medium' | 'heavy';
const AUTO = {
  light: { candidates: 6, valsetCap: 100 },
  medium: { candidates: 12, valsetCap: 300 },
  heavy: { candidates: 18, valsetCap: 1000 },
};

export interface MIPROv2Options<E = DefaultExample, P = DefaultPrediction> {
  metric: Metric<E, P>;
  /** Writes the dataset summary, program description and instruction proposals (default: settings LM). */
  promptModel?: LanguageModel;
  /** Runs the program during bootstrapping and search (default: settings LM). */
  taskModel?: LanguageModel;
  /** Presets for numCandidates / numTrials / valset size; or give numCandidates and numTrials. */
  auto?: MIPROAuto;
  numCandidates?: number;
  numTrials?: number;
  /** Score trials on valset minibatches, with a full evaluation every `minibatchFullEvalSteps` trials (default true). */
  minibatch?: boolean;
  minibatchSize?: number;
  minibatchFullEvalSteps?: number;
  maxBootstrappedDemos?: number;
  maxLabeledDemos?: number;
  concurrency?: number;
  seed?: number;
  /** A progress bar on a TTY (default true). */
  displayProgress?: boolean;
}

export interface MIPROTrial {
  trial: number;
  params: Record<string, number>;
  score: number;
  kind: 'minibatch' | 'full';
}

const miproSchema = z.object({
  metric: zFunction,
  promptModel: zObject.optional(),
  taskModel: zObject.optional(),
  auto: z.enum(['light', 'medium', 'heavy']).optional(),
  numCandidates: z.number().int().positive().optional(),
  numTrials: z.number().int().positive().optional(),
  minibatch: z.boolean().optional(),
  minibatchSize: z.number().int().positive().optional(),
  minibatchFullEvalSteps: z.number().int().positive().optional(),
  maxBootstrappedDemos: z.number().int().nonnegative().optional(),
  maxLabeledDemos: z.number().int().nonnegative().optional(),
  concurrency: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  displayProgress: z.boolean().optional(),
});

const TIPS = [
  'Be creative and explore an unusual framing.',
  'Keep the instruction short and direct.',
  'Describe the task in detail, step by step.',
  'Frame the model as a domain expert.',
  'Emphasise the exact output format.',
  'Point out common mistakes to avoid.',
];

const describeData = signature({
  instructions:
    'Read these examples of a dataset and write concise observations about it: its topic, the input and output formats, and what makes examples hard.',
  inputs: { examples: z.array(z.string()) },
  outputs: { observations: z.string() },
});
const describeProgram = signature({
  instructions: 'Describe, in a few sentences, what this program does and what role each of its steps plays.',
  inputs: { program_steps: z.array(z.string()).describe('Each step: its name and signature'), example: z.string() },
  outputs: { program_description: z.string() },
});
const proposeInstruction = signature({
  instructions:
    "Propose an instruction for one step of a language-model program. Ground it in the dataset description, the program description and the step's examples, and follow the tip.",
  inputs: {
    dataset_description: z.string(),
    program_description: z.string(),
    step_name: z.string(),
    step_signature: z.string(),
    step_demos: z.string(),
    basic_instruction: z.string(),
    tip: z.string(),
  },
  outputs: { proposed_instruction: z.string() },
});

/**
 * MIPROv2: bootstraps candidate demo sets, proposes instructions grounded in a dataset summary and a program
 * description, then searches instruction × demo-set combinations per predictor with a TPE sampler, scoring trials
 * on valset minibatches and fully evaluating the most promising configuration periodically.
 */
export class MIPROv2<E = DefaultExample, P = DefaultPrediction> extends BaseOptimizer {
  readonly name = 'MIPROv2';
  trials: MIPROTrial[] = [];
  dataDescriber = new Predict(describeData);
  programDescriber = new Predict(describeProgram);
  proposer = new Predict(proposeInstruction);

  constructor(readonly options: MIPROv2Options<E, P>) {
    super();
    if (typeof options?.metric !== 'function') throw new OptimizerConfigError('MIPROv2 needs a metric');
    validateOptions(miproSchema, options, (m) => new OptimizerConfigError(m), 'new MIPROv2({ … })');
    if (options.auto === undefined && (options.numCandidates === undefined || options.numTrials === undefined)) {
      throw new OptimizerConfigError("MIPROv2: give auto ('light' | 'medium' | 'heavy'), or both numCandidates and numTrials");
    }
    if (options.auto !== undefined && !(options.auto in AUTO))
      throw new OptimizerConfigError(`MIPROv2: unknown auto preset ${JSON.stringify(options.auto)}`);
  }

  protected optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    valset: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const run = () => this.search(program, trainset, valset);
    return this.options.taskModel ? withSettings({ lm: this.options.taskModel }, run) : run();
  }

  private async search<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    given: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const o = this.options;
    const rng = new Rng(seedState(o.seed ?? 0));
    const preset = o.auto ? AUTO[o.auto] : undefined;
    const numCandidates = o.numCandidates ?? preset?.candidates ?? 6;
    const predictors = program.namedPredictors();
    const numTrials = o.numTrials ?? Math.floor(Math.max(2 * predictors.length * Math.log2(numCandidates), 1.5 * numCandidates));
    const valset = (given ?? trainset).slice(0, preset?.valsetCap ?? Number.POSITIVE_INFINITY);
    const concurrency = o.concurrency ?? 8;
    this.trials = [];

    // The baseline first (the program as given, without demos): a broken metric or program aborts here, before
    // any proposer or bootstrap call is paid for.
    const baselineProgram = program.clone();
    for (const predictor of baselineProgram.predictors()) predictor.demos = [];
    const baselineRun = await scoreProgram(baselineProgram, valset, eraseMetric(o.metric), concurrency, {
      label: 'MIPROv2 (baseline)',
      abortAs: 'MIPROv2',
    });
    this.metricCalls += baselineRun.metricCalls;

    const demoSets = await this.demoCandidates(program, trainset, numCandidates, rng);
    const instructions = await this.instructionCandidates(program, trainset, demoSets, numCandidates, rng);
    const space: Record<string, number> = {};
    for (const [name] of predictors) {
      space[`${name}:instruction`] = instructions.get(name)?.length ?? 1;
      space[`${name}:demos`] = demoSets.length;
    }
    const build = (params: Record<string, number>) => {
      const candidate = program.clone();
      for (const [name, predictor] of candidate.namedPredictors()) {
        (predictor as unknown as { instructions: string }).instructions = instructions.get(name)?.[
          params[`${name}:instruction`] ?? 0
        ] as string;
        predictor.demos = (demoSets[params[`${name}:demos`] ?? 0]?.get(name) ?? []).map((d) => ({ ...d }));
      }
      return candidate;
    };
    const key = (params: Record<string, number>) =>
      JSON.stringify(
        Object.keys(params)
          .sort()
          .map((k) => params[k]),
      );
    const fullScores = new Map<string, number>();
    const miniScores = new Map<string, { params: Record<string, number>; scores: number[] }>();
    const fullEval = async (params: Record<string, number>, trial: number) => {
      const k = key(params);
      if (fullScores.has(k)) return;
      const { score, metricCalls } = await scoreProgram(build(params), valset, eraseMetric(o.metric), concurrency, {
        label: `MIPROv2 (trial ${trial}, full)`,
      });
      this.metricCalls += metricCalls;
      fullScores.set(k, score);
      this.trials.push({ trial, params, score, kind: 'full' });
    };

    // Trial 0: the program as given (instruction 0, demo set 0 = no demos added).
    const baseline = Object.fromEntries(Object.keys(space).map((p) => [p, 0]));
    fullScores.set(key(baseline), baselineRun.score);
    this.trials.push({ trial: 0, params: baseline, score: baselineRun.score, kind: 'full' });
    const sampler = new TPESampler({ space, seed: o.seed ?? 0 });
    const useMinibatch = (o.minibatch ?? true) && valset.length > (o.minibatchSize ?? 35);
    const progress = optimizerProgress('MIPROv2', numTrials, o.displayProgress ?? true);
    for (let trial = 1; trial <= numTrials; trial++) {
      progress.tick(1, `trial ${trial}`);
      const params = sampler.suggest();
      const batch = useMinibatch ? rng.sample(valset, o.minibatchSize ?? 35) : valset;
      const { score, metricCalls } = await scoreProgram(build(params), batch, eraseMetric(o.metric), concurrency, {
        label: `MIPROv2 (trial ${trial})`,
      });
      this.metricCalls += metricCalls;
      sampler.observe(params, score);
      this.trials.push({ trial, params, score, kind: useMinibatch ? 'minibatch' : 'full' });
      if (!useMinibatch) {
        fullScores.set(key(params), Math.max(fullScores.get(key(params)) ?? 0, score));
        continue;
      }
      const entry = miniScores.get(key(params)) ?? { params, scores: [] };
      entry.scores.push(score);
      miniScores.set(key(params), entry);
      if (trial % (o.minibatchFullEvalSteps ?? 5) === 0 || trial === numTrials) {
        const promising = [...miniScores.values()]
          .filter((e) => !fullScores.has(key(e.params)))
          .sort((a, b) => mean(b.scores) - mean(a.scores))[0];
        if (promising) await fullEval(promising.params, trial);
      }
    }
    progress.stop();
    const [bestKey, bestScore] = [...fullScores.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const bestParams = [...this.trials].find((t) => key(t.params) === bestKey)?.params ?? baseline;
    const best = build(bestParams);
    setProgramMetadata(best, {
      optimizer: {
        name: this.name,
        options: scalarOptions(o),
        bestScore,
        trials: numTrials,
        candidates: numCandidates,
        metricCalls: this.metricCalls,
        date: new Date().toISOString(),
      },
    });
    return best;
  }

  /** Demo set 0: none; set 1: labeled examples; the rest: bootstraps over shuffled training data. */
  private async demoCandidates(program: AnyModule, trainset: readonly ExampleLike[], count: number, rng: Rng) {
    const o = this.options;
    const names = program.namedPredictors().map(([n]) => n);
    const sets: Array<Map<string, Record<string, unknown>[]>> = [new Map(names.map((n) => [n, []]))];
    const labeled = labeledDemos(trainset, o.maxLabeledDemos ?? 4, true, rng);
    sets.push(new Map(names.map((n) => [n, labeled])));
    for (let i = 2; i < count; i++) {
      const bootstrap = new BootstrapFewShot({
        metric: o.metric,
        maxBootstrappedDemos: 1 + rng.int(Math.max(1, o.maxBootstrappedDemos ?? 4)),
        maxLabeledDemos: 0,
        concurrency: o.concurrency ?? 8,
        seed: rng.int(2 ** 31),
        displayProgress: false,
      });
      const { demos } = await bootstrap.bootstrap(program, rng.shuffle(trainset));
      this.metricCalls += bootstrap.metricCalls;
      sets.push(demos);
    }
    return sets;
  }

  /** Instruction 0 is the current one; the rest are proposals grounded in data, program and demos. */
  private async instructionCandidates(
    program: AnyModule,
    trainset: readonly ExampleLike[],
    demoSets: Array<Map<string, Record<string, unknown>[]>>,
    count: number,
    rng: Rng,
  ): Promise<Map<string, string[]>> {
    // Every proposer reply may be unreadable: skip it with a warning and go on (as DSPy falls back).
    const prompting = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await asProposer(() => (this.options.promptModel ? withSettings({ lm: this.options.promptModel }, fn) : fn()));
      } catch (error) {
        logger.warn(`MIPROv2: skipped ${what}: ${errorName(error)}: ${firstLine(errorMessage(error))}`);
        return undefined;
      }
    };
    const sample = rng.sample(trainset, 10).map((e) => JSON.stringify(exampleData(e)));
    const observations =
      (await prompting('the dataset summary', () => this.dataDescriber.call({ examples: sample })))?.observations ??
      '(no dataset summary)';
    const steps = program
      .namedPredictors()
      .map(([name, p]) => `${name}: ${(p as unknown as { signature: { shape: string } }).signature.shape}`);
    const program_description =
      (
        await prompting('the program description', () =>
          this.programDescriber.call({ program_steps: steps, example: sample[0] ?? '' }),
        )
      )?.program_description ?? '(no program description)';
    const result = new Map<string, string[]>();
    for (const [name, predictor] of program.namedPredictors()) {
      const current = (predictor as unknown as { instructions: string }).instructions;
      const shape = (predictor as unknown as { signature: { shape: string } }).signature.shape;
      const proposals = [current];
      for (let i = 1; i < count; i++) {
        const demos = demoSets[i % demoSets.length]?.get(name) ?? [];
        const reply = await prompting(`instruction proposal ${i} for "${name}"`, () =>
          this.proposer.call(
            {
              dataset_description: observations,
              program_description,
              step_name: name,
              step_signature: shape,
              step_demos:
                demos
                  .slice(0, 3)
                  .map((d) => JSON.stringify(d))
                  .join('\n') || '(none)',
              basic_instruction: current,
              tip: TIPS[rng.int(TIPS.length)] as string,
            },
            { config: { rolloutId: `mipro:${name}:${i}`, temperature: 1 } },
          ),
        );
        const proposed = reply?.proposed_instruction.trim();
        if (proposed) proposals.push(proposed);
      }
      result.set(name, proposals);
    }
    return result;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
