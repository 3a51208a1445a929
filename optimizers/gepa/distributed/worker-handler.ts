import type { JobHandler } from '../../../src/backends/handlers.js';
import { requireExport } from '../../../src/backends/module-loader.js';
import {
  fromPortableExample,
  type PortableExample,
  ProgramCache,
  plainJson,
  shortHash,
  toPortableValue,
} from '../../../src/backends/transport.js';
import type { AnyModule } from '../../../src/module/module.js';
import type { AnyMetric } from '../../shared.js';
import { AnythingAdapter, type Evaluator, EvaluatorResultError } from '../anything/adapter.js';
import { captureConsoleIntoLogs } from '../anything/log.js';
import { ProgramAdapter } from '../program/adapter.js';
import type { Candidate, GEPAAdapter } from '../types.js';
import { type GEPAJobPayload, type GEPAJobValue, gepaJobSchema } from './job.js';

const programs = new ProgramCache();

/** Worker side of a GEPA evaluation job: one example, one candidate, evaluated as the in-process adapter would. */
export const gepaJobHandler: JobHandler = async ({ module, modulePath, payload, workerId }) => {
  const job = gepaJobSchema.parse(payload);
  if (job.mode === 'anything') return runAnything(job, module, modulePath, workerId);
  if (job.mode === 'program') return runProgram(job, module, modulePath, workerId);
  return runAdapter(job, module, modulePath);
};

async function runAnything(
  job: GEPAJobPayload,
  module: Record<string, unknown>,
  path: string,
  workerId: string,
): Promise<GEPAJobValue> {
  const o = job.options as {
    stringArtifact: boolean;
    singleTask: boolean;
    failureScore: number;
    evaluationTimeoutMs?: number;
    captureConsole?: boolean;
  };
  if (o.captureConsole) captureConsoleIntoLogs();
  const evaluator = requireExport<Evaluator<unknown>>(module, 'evaluator', 'evaluator(candidate, example)', path);
  const adapter = new AnythingAdapter<unknown>({
    evaluator,
    stringArtifact: o.stringArtifact,
    singleTask: o.singleTask,
    concurrency: 1,
    failureScore: o.failureScore,
    ...(o.evaluationTimeoutMs ? { evaluationTimeoutMs: o.evaluationTimeoutMs } : {}),
    maxSideInfoChars: Number.MAX_SAFE_INTEGER, // truncated on the coordinator, where reflection reads it
  });
  try {
    const batch = await adapter.evaluate([job.example], job.candidate);
    const run = batch.trajectories?.[0];
    if (!run) throw new Error('the evaluator produced no result');
    const info = plainJson(run.info) as Record<string, unknown>;
    if (info.error !== undefined) info.workerId = workerId;
    return {
      score: run.score,
      output: info,
      trajectory: { score: run.score, logs: run.logs, info },
      ...(batch.objectiveScores?.[0] ? { objectives: batch.objectiveScores[0] } : {}),
    };
  } catch (error) {
    if (error instanceof EvaluatorResultError) return { score: 0, fatal: { name: error.name, message: error.message } };
    throw error;
  }
}

async function runProgram(
  job: GEPAJobPayload,
  module: Record<string, unknown>,
  path: string,
  workerId: string,
): Promise<GEPAJobValue> {
  const o = job.options as {
    state: unknown;
    failureScore: number;
    addFormatFailureAsFeedback: boolean;
    warnOnScoreMismatch: boolean;
  };
  const base = requireExport<AnyModule>(module, 'program', 'the program GEPA optimizes', path);
  const metric = requireExport<AnyMetric>(module, 'metric', 'metric(example, prediction, ctx)', path);
  const student = programs.get(base, shortHash(JSON.stringify(o.state)), (fresh) => fresh.loadState(o.state));
  const adapter = new ProgramAdapter({
    student,
    metric,
    concurrency: 1,
    failureScore: o.failureScore,
    addFormatFailureAsFeedback: o.addFormatFailureAsFeedback,
    warnOnScoreMismatch: o.warnOnScoreMismatch,
  });
  const example = fromPortableExample(job.example as PortableExample);
  const batch = await adapter.evaluate([example], job.candidate as Candidate, true);
  const run = batch.trajectories?.[0];
  if (!run) throw new Error('the program adapter produced no trajectory');
  const records = job.captureTraces
    ? plainJson(await adapter.buildReflectiveDataset([run], Object.keys(job.candidate)))
    : undefined;
  return {
    score: run.score,
    output: run.prediction === undefined ? undefined : toPortableValue(run.prediction),
    trajectory: {
      score: run.score,
      ...(run.feedback !== undefined ? { feedback: run.feedback } : {}),
      ...(run.error !== undefined ? { error: run.error, workerId } : {}),
      ...(records ? { records } : {}),
    },
  };
}

async function runAdapter(job: GEPAJobPayload, module: Record<string, unknown>, path: string): Promise<GEPAJobValue> {
  const adapter = requireExport<GEPAAdapter<unknown>>(module, 'adapter', 'a GEPAAdapter', path);
  const batch = await adapter.evaluate([job.example], job.candidate, job.captureTraces);
  const objectives = batch.objectiveScores?.[0];
  return {
    score: batch.scores[0] as number,
    output: plainJson(batch.outputs[0]),
    trajectory: plainJson(batch.trajectories?.[0]),
    ...(objectives ? { objectives } : {}),
  };
}
