import pLimit from 'p-limit';
import { callWithCallbacks } from '../../../src/adapters/adapter.js';
import { resolveLM } from '../../../src/lm/registry.js';
import type { LanguageModel } from '../../../src/lm/types.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';

/** A data instance for single-turn system-prompt optimization. */
export interface DefaultDataInst {
  input: string;
  answer: string;
  /** Extra facts shown to reflection with the feedback (e.g. a reference solution). */
  additionalContext?: Record<string, string>;
}

export interface DefaultTrajectory {
  data: DefaultDataInst;
  response: string;
  feedback: string;
}

export interface DefaultOutput {
  response: string;
}

export type DefaultEvaluator = (
  data: DefaultDataInst,
  response: string,
) => { score: number; feedback: string } | Promise<{ score: number; feedback: string }>;

/** Score 1 when the expected answer appears in the response, with feedback that names the expected answer. */
export const containsAnswerEvaluator: DefaultEvaluator = (data, response) => {
  const ok = response.toLowerCase().includes(data.answer.trim().toLowerCase());
  const context = Object.entries(data.additionalContext ?? {})
    .map(([k, v]) => `\n${k}: ${v}`)
    .join('');
  return ok
    ? { score: 1, feedback: `The response is correct: it contains the expected answer "${data.answer}".${context}` }
    : { score: 0, feedback: `The response is incorrect. The expected answer is "${data.answer}".${context}` };
};

export interface DefaultAdapterOptions {
  taskLM: LanguageModel | string;
  evaluator?: DefaultEvaluator;
  /** How many task-LM calls run at once (default 8). */
  concurrency?: number;
}

/**
 * Optimizes one system prompt (the candidate's single component) for a task LM answering `input`s.
 * Each evaluation is one chat call: system = the candidate's text, user = the input.
 */
export class DefaultAdapter implements GEPAAdapter<DefaultDataInst, DefaultTrajectory, DefaultOutput> {
  private readonly lm: LanguageModel;
  private readonly evaluator: DefaultEvaluator;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(options: DefaultAdapterOptions) {
    this.lm = resolveLM(options.taskLM);
    this.evaluator = options.evaluator ?? containsAnswerEvaluator;
    this.limit = pLimit(options.concurrency ?? 8);
  }

  async evaluate(
    batch: readonly DefaultDataInst[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<DefaultTrajectory, DefaultOutput>> {
    const [component] = Object.keys(candidate);
    const systemPrompt = candidate[component as string] as string;
    const runs = await Promise.all(
      batch.map((data) =>
        this.limit(async () => {
          const messages = [
            { role: 'system' as const, content: systemPrompt },
            { role: 'user' as const, content: data.input },
          ];
          const reply = await callWithCallbacks(this.lm, { messages }, 'gepa.task');
          const response = reply.completions[0]?.text ?? '';
          const { score, feedback } = await this.evaluator(data, response);
          return { data, response, score, feedback };
        }),
      ),
    );
    return {
      outputs: runs.map((r) => ({ response: r.response })),
      scores: runs.map((r) => r.score),
      ...(captureTraces ? { trajectories: runs.map(({ data, response, feedback }) => ({ data, response, feedback })) } : {}),
    };
  }

  makeReflectiveDataset(
    _candidate: Candidate,
    evalBatch: EvaluationBatch<DefaultTrajectory, DefaultOutput>,
    componentsToUpdate: readonly string[],
  ): ReflectiveDataset {
    const records = (evalBatch.trajectories ?? []).map((t) => ({
      Inputs: t.data.input,
      'Generated Outputs': t.response,
      Feedback: t.feedback,
    }));
    return Object.fromEntries(componentsToUpdate.map((c) => [c, records]));
  }
}
