import pLimit from 'p-limit';
import { exampleData } from '../../../src/data/example.js';
import { normalizeMetricResult } from '../../../src/evaluate/metric.js';
import type { SandboxTraceEntry } from '../../../src/sandbox/pool.js';
import type { ExampleLike } from '../../optimizer.js';
import { exampleInputs } from '../../optimizer.js';
import type { AnyMetric } from '../../shared.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';
import { PROGRAM_API_REFERENCE } from './api-reference.js';
import type { ProgramSource } from './program-source.js';

export const PROGRAM_COMPONENT = 'program';

export interface SourceTrajectory {
  example: Record<string, unknown>;
  prediction?: unknown;
  trace: SandboxTraceEntry[];
  score: number;
  feedback: string;
  error?: string;
}

/** Runs candidate program sources in the sandbox pool for the GEPA engine. */
export class ProgramSourceAdapter implements GEPAAdapter<ExampleLike, SourceTrajectory, unknown> {
  private readonly sources = new Map<string, ProgramSource>();

  constructor(
    private readonly seed: ProgramSource,
    private readonly metric: AnyMetric,
    private readonly concurrency: number,
    private readonly failureScore: number,
  ) {}

  /** The ProgramSource for a candidate (cached, so each source is built once). */
  programFor(candidate: Candidate): ProgramSource {
    const text = candidate[PROGRAM_COMPONENT] as string;
    let program = this.sources.get(text);
    if (!program) {
      program = text === this.seed.source ? this.seed : this.seed.withSource(text);
      this.sources.set(text, program);
    }
    return program;
  }

  async evaluate(
    batch: readonly ExampleLike[],
    candidate: Candidate,
    _captureTraces: boolean,
  ): Promise<EvaluationBatch<SourceTrajectory, unknown>> {
    const program = this.programFor(candidate);
    const limit = pLimit(this.concurrency);
    const runs = await Promise.all(
      batch.map((example) =>
        limit(async (): Promise<SourceTrajectory> => {
          const data = exampleData(example);
          const result = await program.run(exampleInputs(example));
          if (!result.ok) {
            const what =
              result.kind === 'load' ? 'did not build or load' : result.kind === 'runtime' ? 'threw' : `failed (${result.kind})`;
            const error = `${result.error.name}: ${result.error.message}${result.error.stack ? `\n${trimStack(result.error.stack)}` : ''}`;
            return {
              example: data,
              trace: result.trace,
              score: this.failureScore,
              feedback: `The program ${what}: ${error}`,
              error,
            };
          }
          try {
            const { score, feedback } = normalizeMetricResult(
              // The sandbox reports predictor calls as plain data (no predictor objects), hence the cast.
              await this.metric(data, result.value, { trace: result.trace as never }),
            );
            return {
              example: data,
              prediction: result.value,
              trace: result.trace,
              score,
              feedback: feedback ?? `Score: ${score}.`,
            };
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            return {
              example: data,
              prediction: result.value,
              trace: result.trace,
              score: this.failureScore,
              feedback: `The metric failed: ${message}`,
              error: message,
            };
          }
        }),
      ),
    );
    return { outputs: runs.map((r) => r.prediction), scores: runs.map((r) => r.score), trajectories: runs };
  }

  makeReflectiveDataset(_candidate: Candidate, batch: EvaluationBatch<SourceTrajectory, unknown>): ReflectiveDataset {
    const records = (batch.trajectories ?? []).map((t) => ({
      Inputs: t.example,
      'Program output': t.prediction === undefined ? '(none)' : t.prediction,
      'Predictor calls': t.trace.length
        ? t.trace
            .map(
              (c) =>
                `- ${c.predictorName}: inputs ${JSON.stringify(c.inputs)} → outputs ${JSON.stringify(c.outputs)}${c.error ? ` (parse error: ${c.error})` : ''}`,
            )
            .join('\n')
        : '(none)',
      Score: t.score,
      Feedback: t.feedback,
    }));
    return { [PROGRAM_COMPONENT]: records };
  }
}

function trimStack(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => !l.includes('node:internal'))
    .slice(0, 8)
    .join('\n');
}

/** The reflection prompt for whole programs: the source, the API reference, and the minibatch's runs. */
export const PROGRAM_SOURCE_REFLECTION_TEMPLATE = `You are improving a program written with tsdspy, a TypeScript library for building language-model programs. You may change anything: signatures, instructions, which modules it uses, how they are chained, loops and checks.

## The current program
\`\`\`ts
<curr_param>
\`\`\`

## The tsdspy API available to programs
${PROGRAM_API_REFERENCE.replace(/<curr_param>|<side_info>/g, '')}

## How the program did
Each example shows the inputs, the program's output, every predictor call it made, its score, and feedback (including build errors, runtime errors and stack traces).

<side_info>

## Your task
Work out why the program fails where it does, and write an improved program. Keep it valid TypeScript that imports only from "tsdspy" and default-exports the program. Put the complete new source in one \`\`\`ts block.`;
