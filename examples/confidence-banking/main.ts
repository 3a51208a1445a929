/**
 * Classification prompt optimization with the ConfidenceAdapter on a small banking-intent set: the task LM answers
 * with a label (structured output), the adapter reads the label tokens' logprobs, and GEPA's reflection sees how
 * confident the model was and which labels competed. With OPENAI_API_KEY it uses openai/gpt-4.1-mini (which returns
 * logprobs); offline it uses a clearly labelled simulated classifier whose confidence depends on whether the prompt
 * defines the labels it confuses.
 */
import { ConfidenceAdapter, type LanguageModel, LM, optimize } from 'tsdspy';
import { type Intent, LABELS, simulatedClassifier, simulatedLabelReflection } from './simulated.js';

const utterances: Array<[string, Intent]> = [
  ['I was charged twice for the same purchase', 'refund_request'],
  ['Please send my money back for the cancelled order', 'refund_request'],
  ['The shop never delivered, I want a reimbursement', 'refund_request'],
  ['I returned the item, when do I get my money', 'refund_request'],
  ['My card is gone, I think I left it in a taxi', 'card_lost'],
  ['Someone stole my wallet with my debit card', 'card_lost'],
  ['I cannot find my credit card anywhere', 'card_lost'],
  ['Block my card, it was taken', 'card_lost'],
  ['How much money is in my checking account', 'balance'],
  ['What is my current balance', 'balance'],
  ['Show me how much I have left this month', 'balance'],
  ['Do I have enough funds to pay rent', 'balance'],
  ['There is a payment I do not recognise', 'unknown_charge'],
  ['Who is MERCHANT*XY on my statement', 'unknown_charge'],
  ['I see a transaction I never made', 'unknown_charge'],
  ['A strange charge from a company I do not know', 'unknown_charge'],
];
const data = utterances.map(([input, label]) => ({ input, label }));
const trainset = data.filter((_, i) => i % 2 === 0);
const valset = data.filter((_, i) => i % 2 === 1);

const real = Boolean(process.env.OPENAI_API_KEY);
const taskLM: LanguageModel = real ? new LM('openai/gpt-4.1-mini') : simulatedClassifier();
console.log(
  real
    ? 'Running on openai/gpt-4.1-mini with logprobs.\n'
    : 'SIMULATED RUN: no OPENAI_API_KEY, so the classifier and reflection LM are deterministic stand-ins (examples/confidence-banking/simulated.ts); the confidences are simulated, not a model’s.\n',
);

const adapter = new ConfidenceAdapter({ taskLM, labels: LABELS, scoring: 'sigmoid', threshold: 0.8 });
const result = await optimize({
  seedCandidate: { system_prompt: `Classify the customer's banking request as one of: ${LABELS.join(', ')}.` },
  trainset,
  valset,
  adapter,
  reflectionLM: real ? new LM('openai/gpt-4.1', { temperature: 1 }) : simulatedLabelReflection,
  maxMetricCalls: 80,
  displayProgress: !process.env.CI,
});

console.log(`Valset score by candidate (confidence-weighted): ${result.valAggregateScores.map((s) => s.toFixed(3)).join(', ')}`);
console.log(`Metric calls: ${result.totalMetricCalls}`);
console.log(`\nBest system prompt:\n${result.bestCandidate.system_prompt}`);
