/** The distributed tests' task: the candidate must name every word its examples require; reflection adds them. */
import type { WordTask } from '../fixtures/distributed/anything-module.js';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

export function wordData(n: number, offset = 0): WordTask[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + offset,
    words: [WORDS[(i + offset) % WORDS.length] as string, WORDS[(i + offset + 3) % WORDS.length] as string],
  }));
}

/** Deterministic reflection: keeps the artifact and appends the first missing word the side information names. */
export function wordReflection(prompt: string): string {
  const current = /## Current artifact\n```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const missing = [...prompt.matchAll(/missing: ([a-z, ]+)/g)]
    .flatMap((m) => (m[1] as string).split(', '))
    .filter((w) => w !== 'none' && !current.includes(w));
  return `\`\`\`\n${current}${missing[0] ? ` ${missing[0]}` : ''}\n\`\`\``;
}

/** The word task's optimizeAnything options (a fixed seed: every run of them takes the same path). */
export const wordOptions = {
  seedCandidate: 'words:',
  dataset: wordData(6),
  maxMetricCalls: 48,
  reflectionLM: wordReflection,
  displayProgress: false,
  seed: 3,
};

export const WORD_MODULE = 'test/fixtures/distributed/anything-module.ts';
