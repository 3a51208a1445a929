/**
 * A small GEPA run with branching lineages and merges, written to a run dir, for the report and CLI tests.
 * The reflection LM (a ScriptedLM, so usage is recorded) writes only the facts of the current minibatch, so siblings
 * know different facts, several stay on the frontier, and merges join them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GEPAResult, type LMRequest, optimize, ScriptedLM } from 'tsdspy';
import { factData, factOptions } from './fact-task.js';

export function forgetfulReflection(prompt: string): string {
  const facts = [...new Set([...prompt.matchAll(/FACT (\w+): (\w+)/g)].map((m) => `${m[1]}: ${m[2]}`))];
  return `Here is the improved text:\n\`\`\`\nFacts:\n${facts.join('\n')}\n\`\`\``;
}

export async function makeReportRun(
  overrides: { maxMetricCalls?: number; runDir?: string } = {},
): Promise<{ dir: string; result: GEPAResult }> {
  const dir = overrides.runDir ?? join(mkdtempSync(join(tmpdir(), 'tsdspy-report-')), 'run');
  const reflectionLM = new ScriptedLM((r: LMRequest) => forgetfulReflection(r.messages[0]?.content ?? ''));
  const { options } = factOptions({
    runDir: dir,
    reflectionLM,
    useMerge: true,
    maxMergeInvocations: 10,
    maxMetricCalls: overrides.maxMetricCalls ?? 220,
    seedCandidate: { alpha: 'Facts:', beta: 'Facts:' },
    trainset: factData(12, ['alpha', 'beta']),
    valset: factData(10, ['alpha', 'beta']),
    reflectionMinibatchSize: 4,
    seed: 3,
  });
  const result = await optimize(options);
  return { dir, result };
}
