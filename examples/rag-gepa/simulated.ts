/**
 * Simulated parts for running the RAG + GEPA example offline. They are NOT models:
 * - embeddings are hashed bags of words (texts that share words are close);
 * - the query step, unless its instructions ask for the question's key names and nouns, lazily writes only the
 *   question's first words, so retrieval misses;
 * - the answer step, unless its instructions ask for the exact words of the context, answers in a chatty sentence
 *   that an exact-match metric rejects, and says it does not know when the context lacks the answer;
 * - the reflection LM adds the rule that the feedback it reads points to, for the step it is rewriting.
 * This reproduces what GEPA relies on (behaviour that depends on instruction text; lessons only feedback reveals),
 * without claiming anything about real model accuracy.
 */
import { chatReply, Embedder, type LMRequest, ScriptedLM } from 'tsdspy';

export function simulatedEmbedder(): Embedder {
  return new Embedder((texts) => texts.map((t) => bagOfWords(t, 256)));
}

function bagOfWords(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (STOP.has(word)) continue;
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions] += 1;
  }
  return v;
}

const STOP = new Set(
  'a an the of to in on at by for from with and or is are was were what which who how when does do did its it'.split(' '),
);

export const QUERY_RULE = 'Write the query as the key names and nouns of the question, leaving out question words.';
export const ANSWER_RULE = 'Answer with the exact words from the context that answer the question, and nothing else.';

const field = (prompt: string, name: string) =>
  new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([\\s\\S]*?)(?:\\n\\n\\[\\[ ## |\\n\\nRespond with|$)`).exec(prompt)?.[1] ?? '';
const instructionsOf = (request: LMRequest) =>
  (/your objective is:\n([\s\S]*)$/.exec(request.messages[0]?.content ?? '')?.[1] ?? '').toLowerCase();
const outputsOf = (request: LMRequest) =>
  [
    ...(/Your output fields are:\n([\s\S]*?)\nAll interactions/.exec(request.messages[0]?.content ?? '')?.[1] ?? '').matchAll(
      /`(\w+)`/g,
    ),
  ].map((m) => m[1] as string);

/** The task LM for both steps; `gold` maps each question to its answer. */
export function simulatedTaskLM(gold: ReadonlyMap<string, string>): ScriptedLM {
  return new ScriptedLM((request) => {
    const prompt = request.messages.at(-1)?.content ?? '';
    const question = field(prompt, 'question').trim();
    const instructions = instructionsOf(request);
    if (outputsOf(request).includes('query')) {
      const words = question.replace(/\?$/, '').split(/\s+/);
      const query = instructions.includes('key names and nouns')
        ? words.filter((w) => !STOP.has(w.toLowerCase())).join(' ')
        : words.slice(0, 3).join(' ');
      return chatReply({ query });
    }
    const answer = gold.get(question) ?? '';
    const context = field(prompt, 'context');
    if (!answer || !context.includes(answer)) {
      return chatReply({ reasoning: 'The passages do not mention this.', answer: 'I do not know' });
    }
    return chatReply({
      reasoning: 'One passage states it directly.',
      answer: instructions.includes('exact words') ? answer : `I believe it is ${answer}, according to the passages`,
    });
  });
}

/** Adds the rule that the failing examples' feedback points to, for the step whose instructions it is shown. */
export function simulatedReflectionLM(prompt: string): string {
  const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const forQueries = /#+ query\n/.test(prompt) && !/#+ answer\n/.test(prompt);
  const rule = forQueries
    ? /retrieval missed/i.test(prompt)
      ? QUERY_RULE
      : undefined
    : /exact words/i.test(prompt)
      ? ANSWER_RULE
      : undefined;
  const lines = [current, ...(rule && !current.includes(rule) ? [rule] : [])];
  return `\`\`\`\n${lines.join('\n')}\n\`\`\``;
}
