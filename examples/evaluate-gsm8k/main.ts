/**
 * Evaluate a ChainOfThought math program on 100 GSM8K test questions.
 *
 * Offline (no API key), the program's LM replays genuine recorded model solutions published with GSM8K
 * (GPT-3 175B with verification, `175b_verification`), so the score printed is that recorded model's accuracy on
 * this slice, measured through tsdspy's adapter, parser and metric, not a live model call.
 */
import { ChainOfThought, chatReply, configure, Evaluate, numericMatch, ScriptedLM } from 'tsdspy';
import { loadGsm8k, loadRecordedSolutions } from '../data/gsm8k.js';

const devset = loadGsm8k('test');
const recorded = new Map(loadRecordedSolutions().map((r) => [r.question, r['175b_verification'].solution]));

const replay = new ScriptedLM((request) => {
  const question = /\[\[ ## question ## \]\]\n([\s\S]*?)\n\nRespond with/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? '';
  const lines = (recorded.get(question) ?? 'A: unknown').trim().split('\n');
  return chatReply({ reasoning: lines.slice(0, -1).join('\n'), answer: lines.at(-1) });
});

console.log('tsdspy example: Evaluate on a GSM8K slice (100 test questions)');
console.log('LM: replay of recorded GSM8K model solutions (175b_verification) — no live model is called.\n');
configure({ lm: replay });

const program = new ChainOfThought('question -> answer "the final number"');
const evaluate = new Evaluate({ devset, metric: numericMatch, concurrency: 16, displayTable: 3 });
const result = await evaluate.run(program);
const expected = loadRecordedSolutions().filter((r) => r['175b_verification'].is_correct).length;
console.log(
  `\nScore: ${result.score.toFixed(1)}% (${result.results.filter((r) => r.score === 1).length}/${result.total} correct)`,
);
console.log(`The GSM8K release marks ${expected}/100 of these recorded solutions correct.`);
