/**
 * Simulated LMs for the ConfidenceAdapter example — NOT models. The classifier always knows the right intent (by
 * keyword) but is unsure between confusable pairs unless the system prompt defines the intent; it reports its
 * confidence through synthetic token logprobs. The reflection LM adds a definition for each intent the feedback
 * flags as unsure or wrong.
 */
import { ScriptedLM } from 'tsdspy';

export const LABELS = ['refund_request', 'card_lost', 'balance', 'unknown_charge'] as const;
export type Intent = (typeof LABELS)[number];

const KEYWORDS: Record<Intent, RegExp> = {
  refund_request: /charged twice|money back|reimburse|returned/i,
  card_lost: /card is gone|stole|cannot find|taken/i,
  balance: /how much|balance|funds/i,
  unknown_charge: /recognise|MERCHANT|never made|strange charge/i,
};
const CONFUSED_WITH: Record<Intent, Intent> = {
  refund_request: 'unknown_charge',
  unknown_charge: 'refund_request',
  card_lost: 'unknown_charge',
  balance: 'refund_request',
};
const DEFINITIONS: Record<Intent, string> = {
  refund_request: 'refund_request: the customer knows the charge and wants the money returned.',
  unknown_charge: 'unknown_charge: the customer does not recognise a transaction.',
  card_lost: 'card_lost: the physical card is lost or stolen and should be blocked.',
  balance: 'balance: the customer asks how much money is available.',
};

export function simulatedClassifier(): ScriptedLM {
  return new ScriptedLM((request) => {
    const system = request.messages[0]?.content ?? '';
    const input = request.messages[1]?.content ?? '';
    const label = (LABELS.find((l) => KEYWORDS[l].test(input)) ?? 'balance') as Intent;
    const defined = system.includes(DEFINITIONS[label]);
    const p = defined ? 0.96 : 0.55;
    const rival = CONFUSED_WITH[label];
    return {
      completions: [
        {
          text: `{"label": "${label}"}`,
          logprobs: [
            { token: '{"label": "', logprob: 0 },
            {
              token: label,
              logprob: Math.log(p),
              top: [
                { token: label, logprob: Math.log(p) },
                { token: rival, logprob: Math.log(1 - p) },
              ],
            },
            { token: '"}', logprob: 0 },
          ],
        },
      ],
    };
  });
}

export function simulatedLabelReflection(prompt: string): string {
  const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const flagged = LABELS.filter((l) => new RegExp(`Correct \\("${l}"\\) but unsure|the label is "${l}"`).test(prompt));
  const additions = flagged.map((l) => DEFINITIONS[l]).filter((d) => !current.includes(d));
  return `\`\`\`\n${[current, ...additions].join('\n')}\n\`\`\``;
}
