// Runs a program and an evaluation with `@opentelemetry/api` unresolvable (see without-otel.mjs).
import { ChainOfThought, Evaluate, ScriptedLM, withSettings } from '../../src/index.js';
import { loadOtel } from '../../src/telemetry/otel.js';

const lm = new ScriptedLM(() => '[[ ## reasoning ## ]]\nr\n\n[[ ## answer ## ]]\n42\n\n[[ ## completed ## ]]');
const program = new ChainOfThought('question -> answer');
const prediction = await withSettings({ lm }, () => program.call({ question: 'q' }));
const evaluation = await withSettings({ lm }, () =>
  new Evaluate({
    devset: [{ question: 'a', answer: '42' }],
    metric: (e, p: { answer?: unknown }) => (p.answer === e.answer ? 1 : 0),
    displayProgress: false,
  }).run(program),
);
// The lazy loader found no package, so no span code ran.
const otel = await loadOtel();
console.log(JSON.stringify({ answer: prediction.answer, score: evaluation.score, otelResolvable: otel !== null }));
