import pLimit from 'p-limit';
import type { Adapter } from '../../../src/adapters/adapter.js';
import { ChatAdapter } from '../../../src/adapters/chat.js';
import { AdapterParseError } from '../../../src/adapters/errors.js';
import { renderValue } from '../../../src/adapters/render.js';
import { exampleData, exampleInputs } from '../../../src/data/example.js';
import { classifyFailure, type ExampleFailure } from '../../../src/evaluate/failures.js';
import { type MetricResult, normalizeMetricResult } from '../../../src/evaluate/metric.js';
import { logger } from '../../../src/logger/logger.js';
import type { AnyModule } from '../../../src/module/module.js';
import { currentSettings } from '../../../src/settings/settings.js';
import type { Signature } from '../../../src/signature/signature.js';
import { captureTraceSettled, type Trace, type TraceEntry } from '../../../src/trace/trace.js';
import type { ExampleLike } from '../../optimizer.js';
import type { AnyMetric } from '../../shared.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset, ReflectiveRecord } from '../types.js';

/** One example run by the program, with everything reflection needs. */
export interface ProgramTrajectory {
  example: Record<string, unknown>;
  prediction?: unknown;
  trace: Trace;
  score: number;
  feedback?: string;
  error?: string;
  /** Why the example failed, when it did. */
  failure?: ExampleFailure;
  /** Per-objective scores from the metric, for GEPA's multi-objective frontiers. */
  objectiveScores?: Record<string, number>;
}

export type InstructionProposer = (
  candidate: Candidate,
  reflectiveDataset: ReflectiveDataset,
  componentsToUpdate: readonly string[],
) => Promise<Record<string, string>> | Record<string, string>;

export interface ProgramAdapterOptions {
  student: AnyModule;
  metric: AnyMetric;
  concurrency: number;
  failureScore: number;
  addFormatFailureAsFeedback: boolean;
  warnOnScoreMismatch: boolean;
  /** Calls of one predictor shown per example at most (evenly spaced when there are more). */
  maxCallsPerExample?: number;
  instructionProposer?: InstructionProposer;
}

const TOOL_KEY = /^(?:(.*)\.)?tools\.[^.]+\.(?:description|args\.[^.]+)$/;

/** Runs a tsdspy program for the GEPA engine and builds per-predictor reflective datasets from its traces. */
export class ProgramAdapter implements GEPAAdapter<ExampleLike, ProgramTrajectory, unknown> {
  private mismatchWarned = false;
  readonly proposeNewTexts?: GEPAAdapter<ExampleLike, ProgramTrajectory, unknown>['proposeNewTexts'];

  constructor(private readonly options: ProgramAdapterOptions) {
    if (options.instructionProposer) this.proposeNewTexts = options.instructionProposer;
  }

  /** A fresh copy of the student carrying the candidate's texts. */
  buildProgram(candidate: Candidate): AnyModule {
    return this.options.student.clone().setParameters(candidate);
  }

  async evaluate(
    batch: readonly ExampleLike[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<ProgramTrajectory, unknown>> {
    const program = this.buildProgram(candidate);
    const limit = pLimit(this.options.concurrency);
    const runs = await Promise.all(batch.map((example) => limit(() => this.runOne(program, example))));
    // Objective scores reach the engine when the metric gives them (sparse: a run without them counts as {}).
    const hasObjectives = runs.some((r) => r.objectiveScores !== undefined);
    return {
      outputs: runs.map((r) => r.prediction),
      scores: runs.map((r) => r.score),
      failures: runs.map((r) => r.failure ?? null),
      ...(hasObjectives ? { objectiveScores: runs.map((r) => r.objectiveScores ?? {}) } : {}),
      ...(captureTraces ? { trajectories: runs } : {}),
    };
  }

  makeReflectiveDataset(
    _candidate: Candidate,
    evalBatch: EvaluationBatch<ProgramTrajectory, unknown>,
    componentsToUpdate: readonly string[],
  ) {
    return this.buildReflectiveDataset(evalBatch.trajectories ?? [], componentsToUpdate);
  }

  async buildReflectiveDataset(
    trajectories: readonly ProgramTrajectory[],
    components: readonly string[],
  ): Promise<ReflectiveDataset> {
    const dataset: ReflectiveDataset = {};
    for (const component of components) {
      const predictorName = reflectingPredictor(component);
      const records: ReflectiveRecord[] = [];
      for (const run of trajectories) {
        const calls = run.trace.filter((t) => t.predictorName === predictorName);
        if (calls.length === 0) {
          if (run.error)
            records.push({
              Inputs: renderRecord(run.example),
              'Generated Outputs': `The program raised an error before this step produced anything: ${run.error}`,
              Feedback: run.feedback ?? run.error,
            });
          continue;
        }
        for (const call of sample(calls, this.options.maxCallsPerExample ?? 3)) {
          records.push(await this.record(run, call, predictorName));
        }
      }
      dataset[component] = records;
    }
    return dataset;
  }

  private async runOne(program: AnyModule, example: ExampleLike): Promise<ProgramTrajectory> {
    const data = exampleData(example);
    const inputs = exampleInputs(example);
    const run = await captureTraceSettled(() => (program as AnyModule & { call(i: unknown): Promise<unknown> }).call(inputs));
    if (run.error !== undefined) {
      const error = run.error instanceof Error ? `${run.error.name}: ${run.error.message}` : String(run.error);
      return {
        example: data,
        trace: run.trace,
        score: this.options.failureScore,
        error,
        feedback: `The program failed: ${error}`,
        failure: { kind: classifyFailure(run.error, 'program'), error: run.error },
      };
    }
    try {
      const { score, feedback, objectiveScores } = normalizeMetricResult(
        await this.callMetric(data, run.result, { trace: run.trace }),
      );
      return {
        example: data,
        prediction: run.result,
        trace: run.trace,
        score,
        ...(feedback !== undefined ? { feedback } : {}),
        ...(objectiveScores !== undefined ? { objectiveScores } : {}),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        example: data,
        prediction: run.result,
        trace: run.trace,
        score: this.options.failureScore,
        error: message,
        feedback: `The metric failed: ${message}`,
        failure: { kind: classifyFailure(error, 'metric'), error },
      };
    }
  }

  /** One predictor call as a reflective record: the call rendered by the adapter, and feedback for this predictor. */
  private async record(run: ProgramTrajectory, call: TraceEntry, predictorName: string): Promise<ReflectiveRecord> {
    const signature = (call.predictor as { signature: Signature<object, object> }).signature;
    const adapter = (call.predictor as { adapter?: Adapter }).adapter ?? currentSettings().adapter ?? new ChatAdapter();
    if (call.error instanceof AdapterParseError && this.options.addFormatFailureAsFeedback) {
      return {
        Inputs: adapter.formatForReflection(signature, call.inputs, {}).split('## Generated outputs')[0]?.trim() ?? '',
        'Generated Outputs': `The reply could not be parsed into the expected fields. Raw reply:\n\`\`\`\n${call.rawCompletion}\n\`\`\``,
        Feedback: `Your output failed to parse (${call.error.missing.length ? `missing ${call.error.missing.join(', ')}` : call.error.invalid.map((f) => `${f.field}: ${f.message}`).join('; ')}). Reply with every output field, each after its marker, in this structure:\n${signature.outputFields.map((f) => `[[ ## ${f.name} ## ]]\n{${f.name}}`).join('\n\n')}\n\n[[ ## completed ## ]]`,
      };
    }
    let feedback = run.feedback;
    if (run.error === undefined) {
      const own = normalizeMetricResult(
        await this.callMetric(run.example, run.prediction, { trace: run.trace, predName: predictorName, predTrace: [call] }),
      );
      if (own.score !== run.score) this.warnMismatch(predictorName, own.score, run.score);
      feedback = own.feedback ?? feedback;
    }
    const rendered = adapter.formatForReflection(signature, call.inputs, call.outputs);
    const [inputsPart, outputsPart] = rendered.split('## Generated outputs');
    return {
      Inputs: (inputsPart ?? '').replace(/^## Inputs\n?/, '').trim(),
      'Generated Outputs': (outputsPart ?? '').trim(),
      Feedback: feedback ?? `This trajectory got a score of ${run.score}.`,
    };
  }

  private callMetric(
    example: Record<string, unknown>,
    prediction: unknown,
    ctx: { trace: Trace; predName?: string; predTrace?: Trace },
  ): Promise<MetricResult> | MetricResult {
    return this.options.metric(example, prediction, ctx);
  }

  private warnMismatch(predictor: string, own: number, total: number): void {
    if (!this.options.warnOnScoreMismatch || this.mismatchWarned) return;
    this.mismatchWarned = true;
    logger.warn(
      `GEPA: the metric gave predictor "${predictor}" a score of ${own} but the whole program ${total} on the same example. GEPA uses the program-level score to accept candidates; make the per-predictor score consistent, or pass warnOnScoreMismatch: false.`,
    );
  }
}

/** Which predictor's calls feed a component: the predictor itself, or the ReAct agent step that reads a tool's text. */
export function reflectingPredictor(component: string): string {
  const tool = TOOL_KEY.exec(component);
  if (!tool) return component;
  return tool[1] ? `${tool[1]}.react` : 'react';
}

export function isToolComponent(component: string): boolean {
  return TOOL_KEY.test(component);
}

function renderRecord(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([k, v]) => `### ${k}\n${renderValue(v)}`)
    .join('\n\n');
}

/** Up to `k` items, evenly spaced, always including the first and last. */
function sample<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  if (k === 1) return [items[0] as T];
  return Array.from({ length: k }, (_, i) => items[Math.round((i * (items.length - 1)) / (k - 1))] as T);
}
