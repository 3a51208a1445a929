import { z } from 'zod';
import type { BackendResult } from '../backends/backend.js';
import type { JobHandler } from '../backends/handlers.js';
import { requireExport } from '../backends/module-loader.js';
import {
  fromPortableExample,
  fromPortableValue,
  type PortableExample,
  type PortableValue,
  ProgramCache,
  shortHash,
  toPortableValue,
} from '../backends/transport.js';
import { exampleData, exampleInputs } from '../data/example.js';
import type { AnyModule } from '../module/module.js';
import { describeFailure } from './failure.js';
import { type Metric, normalizeMetricResult } from './metric.js';
import type { EvaluationRecord } from './result.js';

/** Job kind of one Evaluate example run on a worker. */
export const EVALUATE_JOB = 'evaluate.example';

export interface EvaluateJobPayload {
  example: PortableExample;
  /** State to load into a fresh copy of the module's program; absent: the module's program as it is. */
  state?: unknown;
  failureScore: number;
  provideTraceback: boolean;
}

const payloadSchema = z.object({
  example: z.object({ data: z.record(z.string(), z.unknown()), inputKeys: z.array(z.string()).optional() }),
  state: z.unknown().optional(),
  failureScore: z.number(),
  provideTraceback: z.boolean(),
});

interface EvaluateJobValue {
  prediction?: PortableValue;
  score: number;
  feedback?: string;
  error?: string;
  stack?: string;
}

const programs = new ProgramCache();

/** Worker side: runs the module's `program` (with the sent state) on the example and scores it with its `metric`. */
export const evaluateJobHandler: JobHandler = async ({ module, modulePath, payload }) => {
  const p = payloadSchema.parse(payload) as EvaluateJobPayload;
  const base = requireExport<AnyModule>(module, 'program', 'the program Evaluate runs', modulePath);
  const metric = requireExport<Metric<Record<string, unknown>, unknown>>(
    module,
    'metric',
    'the metric Evaluate scores with',
    modulePath,
  );
  const program =
    p.state === undefined ? base : programs.get(base, shortHash(JSON.stringify(p.state)), (fresh) => fresh.loadState(p.state));
  const example = fromPortableExample(p.example);
  let prediction: unknown;
  try {
    prediction = await (program as AnyModule & { call(i: unknown): Promise<unknown> }).call(exampleInputs(example));
  } catch (error) {
    return { score: p.failureScore, ...describeFailure(error, p.provideTraceback) } satisfies EvaluateJobValue;
  }
  const portable = toPortableValue(prediction);
  try {
    const scored = normalizeMetricResult(await metric(exampleData(example), prediction));
    return { prediction: portable, ...scored } satisfies EvaluateJobValue;
  } catch (error) {
    return { prediction: portable, score: p.failureScore, ...describeFailure(error, p.provideTraceback) };
  }
};

/** Coordinator side: the record of one example from its job's result, with the id of the worker that ran it. */
export function recordFromJob<P>(
  index: number,
  example: Record<string, unknown>,
  result: BackendResult,
): EvaluationRecord<Record<string, unknown>, P> {
  const value = result.value as EvaluateJobValue;
  return {
    index,
    example,
    ...(value.prediction ? { prediction: fromPortableValue(value.prediction) as P } : {}),
    score: value.score,
    ...(value.feedback !== undefined ? { feedback: value.feedback } : {}),
    ...(value.error !== undefined ? { error: value.error, workerId: result.workerId } : {}),
    ...(value.stack !== undefined ? { stack: value.stack } : {}),
  };
}
