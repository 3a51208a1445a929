/**
 * A synthetic task for the GEPA engine where the right answer depends on facts that the reflection LM can
 * only learn from the feedback: the "system" answers a question about a key correctly only when the
 * component text contains the line `key: answer`. The feedback names the expected answer, and the scripted
 * reflection LM copies facts it finds in the feedback into the new text. So a rising score proves that
 * feedback reaches reflection.
 */
import type { Candidate, EvaluationBatch, GEPAAdapter, OptimizeOptions, ReflectiveDataset } from 'tsdspy';

export interface FactInst {
  key: string;
  answer: string;
  /** Which component must hold the fact (for multi-component tasks). */
  component: string;
}

export interface FactTrace {
  inst: FactInst;
  said: string;
  feedback: string;
}

export function factData(n: number, components: readonly string[] = ['prompt'], offset = 0): FactInst[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `k${i + offset}`,
    answer: `v${(i + offset) * 7 + 3}`,
    component: components[i % components.length] as string,
  }));
}

/** Answers from the facts written in the candidate; records how many examples it was asked to run. */
export class FactAdapter implements GEPAAdapter<FactInst, FactTrace, string> {
  seen = 0;
  calls: Array<{ keys: string[]; captureTraces: boolean }> = [];

  evaluate(batch: readonly FactInst[], candidate: Candidate, captureTraces: boolean): EvaluationBatch<FactTrace, string> {
    this.seen += batch.length;
    this.calls.push({ keys: batch.map((b) => b.key), captureTraces });
    const runs = batch.map((inst) => {
      const text = candidate[inst.component] ?? '';
      const said = new RegExp(`^${inst.key}: (\\S+)$`, 'm').exec(text)?.[1] ?? 'unknown';
      const ok = said === inst.answer;
      const feedback = ok ? `Correct: ${inst.key} is ${inst.answer}.` : `Wrong. FACT ${inst.key}: ${inst.answer}`;
      return { inst, said, feedback, score: ok ? 1 : 0 };
    });
    return {
      outputs: runs.map((r) => r.said),
      scores: runs.map((r) => r.score),
      objectiveScores: runs.map((r) => ({
        accuracy: r.score,
        brevity: 1 / (1 + (candidate[r.inst.component] ?? '').length / 100),
      })),
      ...(captureTraces ? { trajectories: runs.map(({ inst, said, feedback }) => ({ inst, said, feedback })) } : {}),
    };
  }

  makeReflectiveDataset(
    _c: Candidate,
    batch: EvaluationBatch<FactTrace, string>,
    components: readonly string[],
  ): ReflectiveDataset {
    const out: ReflectiveDataset = {};
    for (const component of components) {
      out[component] = (batch.trajectories ?? [])
        .filter((t) => t.inst.component === component)
        .map((t) => ({ Inputs: { key: t.inst.key }, 'Generated Outputs': t.said, Feedback: t.feedback }));
    }
    return out;
  }
}

/** A deterministic reflection LM: keeps the current text and appends every `FACT k: v` found in the feedback. */
export function factReflection(prompt: string): string {
  const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const facts = [...prompt.matchAll(/FACT (\w+): (\w+)/g)].map((m) => `${m[1]}: ${m[2]}`);
  const lines = [...current.split('\n'), ...facts].filter((line, i, all) => line && all.indexOf(line) === i);
  return `Here is the improved text:\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

/** Standard options for the fact task; tests override what they exercise. */
export function factOptions(overrides: Partial<OptimizeOptions<FactInst, FactTrace, string>> = {}) {
  const adapter = new FactAdapter();
  const options: OptimizeOptions<FactInst, FactTrace, string> = {
    seedCandidate: { prompt: 'Facts:' },
    trainset: factData(12),
    valset: factData(8),
    adapter,
    reflectionLM: factReflection,
    maxMetricCalls: 80,
    reflectionMinibatchSize: 3,
    displayProgress: false,
    seed: 7,
    ...overrides,
  };
  return { adapter: (options.adapter ?? adapter) as FactAdapter, options };
}
