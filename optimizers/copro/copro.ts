import { z } from 'zod';
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
import { BaseOptimizer, type ExampleLike, OptimizerConfigError } from '../optimizer.js';
import { optimizerProgress } from '../progress.js';
import { type DefaultExample, type DefaultPrediction, eraseMetric, scalarOptions, scoreProgram } from '../shared.js';

export interface COPROOptions<E = DefaultExample, P = DefaultPrediction> {
  metric: Metric<E, P>;
  /** The LM that writes instruction proposals (default: the LM in settings). */
  promptModel?: LanguageModel;
  /** Proposals per predictor per round (default 10). */
  breadth?: number;
  /** Rounds of proposing and scoring (default 3). */
  depth?: number;
  /** Sampling temperature for proposals (default 1.4). */
  initTemperature?: number;
  concurrency?: number;
  /** A progress bar on a TTY (default true). */
  displayProgress?: boolean;
}

export interface InstructionAttempt {
  predictor: string;
  instruction: string;
  prefix: string;
  score: number;
  round: number;
}

const proposalOutputs = {
  proposed_instruction: z.string().describe('The improved instruction for the language model'),
  proposed_prefix_for_output_field: z
    .string()
    .describe('The string at the end of the prompt, which will help the model start solving the task'),
};

const basicInstruction = signature({
  instructions:
    'You improve instructions for language models. You get the current instruction of one step of a program. Propose a better instruction that would make a capable model perform the task well, and a short prefix for its final output field. Be specific; creativity is welcome.',
  inputs: { basic_instruction: z.string().describe('The current instruction') },
  outputs: proposalOutputs,
});

const instructionGivenAttempts = signature({
  instructions:
    'You improve instructions for language models. Below are instructions tried for one step of a program, each with its output prefix and the score it reached, from worst to best. Study what made the better ones better, then propose a new instruction and prefix that should score higher than all of them.',
  inputs: { attempted_instructions: z.array(z.string()).describe('Earlier instructions with their prefixes and scores') },
  outputs: proposalOutputs,
});

/**
 * COPRO: coordinate ascent over each predictor's instruction (and output prefix). An LM proposes `breadth`
 * candidates, each is scored on the trainset, and over `depth` rounds the LM proposes again from the attempts
 * and their scores. DSPy's COPRO.
 */
export class COPRO<E = DefaultExample, P = DefaultPrediction> extends BaseOptimizer {
  readonly name = 'COPRO';
  /** Every instruction scored in the last compile. */
  attempts: InstructionAttempt[] = [];
  proposer = new Predict(basicInstruction);
  refiner = new Predict(instructionGivenAttempts);

  constructor(readonly options: COPROOptions<E, P>) {
    super();
    if (typeof options?.metric !== 'function') throw new OptimizerConfigError('COPRO needs a metric');
    validateOptions(
      z.object({
        metric: zFunction,
        promptModel: zObject.optional(),
        breadth: z.number().int().optional(),
        depth: z.number().int().optional(),
        initTemperature: z.number().nonnegative().optional(),
        concurrency: z.number().int().positive().optional(),
        displayProgress: z.boolean().optional(),
      }),
      options,
      (m) => new OptimizerConfigError(m),
      'new COPRO({ … })',
    );
    if ((options.breadth ?? 10) < 2) throw new OptimizerConfigError('COPRO: breadth must be at least 2');
    if ((options.depth ?? 3) < 1) throw new OptimizerConfigError('COPRO: depth must be at least 1');
  }

  protected async optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    _valset: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const o = this.options;
    const breadth = o.breadth ?? 10;
    const depth = o.depth ?? 3;
    this.attempts = [];
    let best = program.clone();
    const scored = new Map<string, number>();
    const pending = new Map<string, Array<{ instruction: string; prefix: string }>>();
    // The baseline first: a broken metric or program aborts here, before any proposal is paid for.
    const baseline = await scoreProgram(best, trainset, eraseMetric(o.metric), o.concurrency ?? 8, {
      label: 'COPRO (baseline)',
      abortAs: 'COPRO',
    });
    this.metricCalls += baseline.metricCalls;
    let bestScore = baseline.score;
    for (const [name, predictor] of best.namedPredictors()) {
      const current = {
        instruction: (predictor as unknown as { instructions: string }).instructions,
        prefix: lastPrefix(predictor),
      };
      scored.set(`${name}\u0000${current.instruction}\u0000${current.prefix}`, baseline.score);
      this.attempts.push({ predictor: name, ...current, score: baseline.score, round: 0 });
      pending.set(name, [
        current,
        ...(await this.propose(() =>
          this.proposer.call({ basic_instruction: current.instruction }, this.sampling(breadth - 1, name, 0)),
        )),
      ]);
    }
    const progress = optimizerProgress('COPRO', depth * best.namedPredictors().length, o.displayProgress ?? true);
    for (let round = 0; round < depth; round++) {
      for (const [name] of best.namedPredictors()) {
        for (const candidate of pending.get(name) ?? []) {
          const key = `${name}\u0000${candidate.instruction}\u0000${candidate.prefix}`;
          if (scored.has(key)) continue;
          const trial = withInstruction(best, name, candidate.instruction, candidate.prefix);
          const { score, metricCalls } = await scoreProgram(trial, trainset, eraseMetric(o.metric), o.concurrency ?? 8, {
            label: `COPRO (${name}, round ${round})`,
          });
          this.metricCalls += metricCalls;
          scored.set(key, score);
          this.attempts.push({ predictor: name, ...candidate, score, round });
          if (score > bestScore) {
            bestScore = score;
            best = trial;
          }
        }
        progress.tick(1, `best ${(bestScore * 100).toFixed(1)}%`);
        if (round < depth - 1) {
          const tried = this.attempts
            .filter((a) => a.predictor === name)
            .sort((a, b) => a.score - b.score)
            .slice(-breadth)
            .map(
              (a, i) =>
                `Instruction #${i + 1}: ${a.instruction}\nPrefix #${i + 1}: ${a.prefix}\nResulting Score #${i + 1}: ${a.score.toFixed(3)}`,
            );
          pending.set(
            name,
            await this.propose(() =>
              this.refiner.call({ attempted_instructions: tried }, this.sampling(breadth, name, round + 1)),
            ),
          );
        }
      }
    }
    setProgramMetadata(best, {
      optimizer: {
        name: this.name,
        options: scalarOptions(o),
        bestScore,
        metricCalls: this.metricCalls,
        date: new Date().toISOString(),
      },
    });
    return best;
  }

  private sampling(n: number, predictor: string, round: number) {
    return { config: { n, temperature: this.options.initTemperature ?? 1.4, rolloutId: `copro:${predictor}:${round}` } };
  }

  private async propose(
    call: () => Promise<{ completions: readonly { proposed_instruction: string; proposed_prefix_for_output_field: string }[] }>,
  ): Promise<Array<{ instruction: string; prefix: string }>> {
    let prediction: Awaited<ReturnType<typeof call>>;
    try {
      prediction = await asProposer(() =>
        this.options.promptModel ? withSettings({ lm: this.options.promptModel }, call) : call(),
      );
    } catch (error) {
      // One unreadable proposer reply must not end the compile: skip this round's proposals.
      logger.warn(`COPRO: skipped unreadable instruction proposals: ${errorName(error)}: ${errorMessage(error).split('\n')[0]}`);
      return [];
    }
    const seen = new Set<string>();
    return prediction.completions
      .map((c) => ({ instruction: c.proposed_instruction.trim(), prefix: c.proposed_prefix_for_output_field.trim() }))
      .filter((c) => c.instruction && !seen.has(c.instruction) && seen.add(c.instruction));
  }
}

function lastPrefix(predictor: object): string {
  const sig = (predictor as { signature: { outputFields: readonly { prefix: string }[] } }).signature;
  return sig.outputFields.at(-1)?.prefix ?? '';
}

/** A copy of `program` whose predictor `name` has the given instruction and last-output prefix. */
export function withInstruction<P extends AnyModule>(program: P, name: string, instruction: string, prefix: string): P {
  const copy = program.clone();
  const target = copy.namedPredictors().find(([n]) => n === name)?.[1] as unknown as {
    instructions: string;
    signature: { outputFields: readonly { name: string }[]; withUpdatedField(n: string, p: { prefix: string }): unknown };
  };
  target.instructions = instruction;
  const last = target.signature.outputFields.at(-1)?.name;
  if (last && prefix) target.signature = target.signature.withUpdatedField(last, { prefix }) as typeof target.signature;
  return copy;
}
