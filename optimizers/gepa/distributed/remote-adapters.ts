import type { EvaluationBackend } from '../../../src/backends/backend.js';
import {
  fromPortableValue,
  type PortableValue,
  plainJson,
  portableState,
  toPortableExample,
} from '../../../src/backends/transport.js';
import type { AnyModule } from '../../../src/module/module.js';
import type { ExampleLike } from '../../optimizer.js';
import { AnythingAdapter, type AnythingTrajectory, EvaluatorResultError, type SideInfo } from '../anything/adapter.js';
import type { InstructionProposer } from '../program/adapter.js';
import type { GEPAAdapter, ReflectiveDataset, ReflectiveRecord } from '../types.js';
import { RemoteAdapter } from './remote-adapter.js';

class RemoteEvaluationError extends Error {}

/** Errors a worker reports as fatal come back as the same error class the in-process adapter throws. */
function fatalError(error: { name: string; message: string }): Error {
  if (error.name === 'EvaluatorResultError') return new EvaluatorResultError(error.message);
  const out = new RemoteEvaluationError(error.message);
  out.name = error.name;
  return out;
}

export interface RemoteAnythingOptions {
  stringArtifact: boolean;
  singleTask: boolean;
  failureScore: number;
  evaluationTimeoutMs?: number;
  maxSideInfoChars: number;
  captureConsole?: boolean;
}

/** optimizeAnything (and `optimize` without an adapter) on workers: the module's `evaluator` scores each example. */
export function remoteAnythingAdapter<E>(
  backend: EvaluationBackend,
  runKey: string,
  o: RemoteAnythingOptions,
): RemoteAdapter<E | undefined, AnythingTrajectory<E>, SideInfo> & { artifact: AnythingAdapter<E>['artifact'] } {
  // The local adapter never evaluates: it renders reflection records and artifacts exactly as in-process.
  const local = new AnythingAdapter<E>({ ...o, concurrency: 1 });
  const adapter = new RemoteAdapter<E | undefined, AnythingTrajectory<E>, SideInfo>({
    backend,
    mode: 'anything',
    runKey,
    options: {
      stringArtifact: o.stringArtifact,
      singleTask: o.singleTask,
      failureScore: o.failureScore,
      ...(o.evaluationTimeoutMs ? { evaluationTimeoutMs: o.evaluationTimeoutMs } : {}),
      ...(o.captureConsole ? { captureConsole: true } : {}),
    },
    encodeExample: (example) => plainJson(example),
    decode: (value, example) => {
      const t = value.trajectory as { score: number; logs: string[]; info: SideInfo };
      return { output: t.info, trajectory: { example, score: t.score, logs: t.logs, info: t.info } };
    },
    reflect: (candidate, batch, components) => local.makeReflectiveDataset(candidate, batch, components),
    fatal: fatalError,
  });
  return Object.assign(adapter, { artifact: local.artifact.bind(local) });
}

/** What a worker sends back for one program run: score, feedback, failure, and reflection records per component. */
export interface RemoteProgramTrajectory {
  example: Record<string, unknown>;
  prediction?: unknown;
  score: number;
  feedback?: string;
  error?: string;
  workerId?: string;
  records?: ReflectiveDataset;
}

export interface RemoteProgramOptions {
  student: AnyModule;
  failureScore: number;
  addFormatFailureAsFeedback: boolean;
  warnOnScoreMismatch: boolean;
  instructionProposer?: InstructionProposer;
}

/**
 * GEPA.compile on workers: each job carries the student's state (instructions, demos) and the candidate's texts,
 * loaded into a fresh copy of the module's `program`. Workers render the reflection records (they hold the traces).
 */
export function remoteProgramAdapter(
  backend: EvaluationBackend,
  runKey: string,
  o: RemoteProgramOptions,
): RemoteAdapter<ExampleLike, RemoteProgramTrajectory, unknown> {
  return new RemoteAdapter<ExampleLike, RemoteProgramTrajectory, unknown>({
    backend,
    mode: 'program',
    runKey,
    options: {
      state: portableState(o.student),
      failureScore: o.failureScore,
      addFormatFailureAsFeedback: o.addFormatFailureAsFeedback,
      warnOnScoreMismatch: o.warnOnScoreMismatch,
    },
    encodeExample: (example) => toPortableExample(example),
    decode: (value, example) => {
      const t = value.trajectory as Omit<RemoteProgramTrajectory, 'example' | 'prediction'>;
      const prediction = value.output === undefined ? undefined : fromPortableValue(value.output as PortableValue);
      const data = toPortableExample(example).data;
      return { output: prediction, trajectory: { example: data, ...(prediction !== undefined ? { prediction } : {}), ...t } };
    },
    reflect: (_candidate, batch, components) => {
      const dataset: Record<string, ReflectiveRecord[]> = {};
      for (const component of components) {
        dataset[component] = (batch.trajectories ?? []).flatMap((t) => t.records?.[component] ?? []);
      }
      return dataset;
    },
    fatal: fatalError,
    ...(o.instructionProposer ? { proposeNewTexts: o.instructionProposer } : {}),
  });
}

/** `optimize({ adapter, backend })`: the module's `adapter` evaluates on workers, the given one reflects here. */
export function remoteModuleAdapter<D, T, O>(
  backend: EvaluationBackend,
  runKey: string,
  local: GEPAAdapter<D, T, O>,
): RemoteAdapter<D, T, O> {
  return new RemoteAdapter<D, T, O>({
    backend,
    mode: 'adapter',
    runKey,
    options: {},
    encodeExample: (example) => plainJson(example),
    decode: (value) => ({ output: value.output as O, trajectory: value.trajectory as T }),
    reflect: (candidate, batch, components) => local.makeReflectiveDataset(candidate, batch, components),
    fatal: fatalError,
    ...(local.proposeNewTexts ? { proposeNewTexts: local.proposeNewTexts.bind(local) } : {}),
  });
}
