/**
 * Simulated LMs for running the GSM8K + GEPA example offline. They are NOT models: the task LM looks up the gold
 * answer and then makes a systematic mistake on three kinds of problems unless its instructions contain the matching
 * rule; the reflection LM adds a rule when the failing examples it is shown (with their feedback) are of that kind.
 * This reproduces the mechanics GEPA relies on — behaviour that depends on the instruction text, and lessons that can
 * only be learned from feedback — without claiming anything about real model accuracy.
 */
import { chatReply, type LMRequest, ScriptedLM } from 'tsdspy';

interface Skill {
  name: string;
  /** Which questions it concerns. */
  appliesTo: RegExp;
  /** The phrase the task LM looks for in its instructions. */
  cue: string;
  /** The rule the reflection LM writes (contains the cue). */
  rule: string;
  /** The mistake made without the rule. */
  mistake: (gold: number) => number;
}

const SKILLS: Skill[] = [
  {
    name: 'percentages',
    appliesTo: /%|percent/i,
    cue: 'percentage',
    rule: 'When a problem gives a percentage, turn it into a fraction of the quantity it refers to before combining it with anything else.',
    mistake: (gold) => gold + 10,
  },
  {
    name: 'per-item quantities',
    appliesTo: /\beach\b|\bper\b|\bevery\b/i,
    cue: 'per item',
    rule: 'When amounts are given per item (each, per, every), multiply by the number of items before adding totals.',
    mistake: (gold) => Math.round(gold / 2),
  },
  {
    name: 'time units',
    appliesTo: /\bhours?\b|\bminutes?\b/i,
    cue: 'units of time',
    rule: 'Keep units of time consistent: convert between minutes and hours before combining quantities.',
    mistake: (gold) => gold * 60,
  },
];

const instructionsOf = (request: LMRequest) =>
  /your objective is:\n([\s\S]*)$/.exec(request.messages[0]?.content ?? '')?.[1] ?? '';

/**
 * The simulated answer: the gold number, distorted by each skill that neither the instructions mention nor a demo
 * (a worked example of the same kind of problem in the prompt) shows.
 */
export function simulatedAnswer(
  question: string,
  gold: number,
  instructions: string,
  demoQuestions: readonly string[] = [],
): { answer: number; reasoning: string } {
  const lower = instructions.toLowerCase();
  const missed = SKILLS.filter(
    (s) => s.appliesTo.test(question) && !lower.includes(s.cue) && !demoQuestions.some((d) => s.appliesTo.test(d)),
  );
  const answer = missed.reduce((value, skill) => skill.mistake(value), gold);
  const reasoning = missed.length
    ? `I handled the ${missed.map((s) => s.name).join(' and ')} loosely.`
    : 'I worked through each step carefully.';
  return { answer, reasoning };
}

/**
 * Task LM for tsdspy programs (ChatAdapter format): reads the question, the instructions and the requested output
 * fields from the prompt; the last output field gets the (possibly mistaken) number, the others a short text.
 */
export function simulatedTaskLM(goldByQuestion: ReadonlyMap<string, number>): ScriptedLM {
  return new ScriptedLM((request) => {
    const prompt = request.messages.at(-1)?.content ?? '';
    const question = /\[\[ ## question ## \]\]\n([\s\S]*?)\n\n(?:\[\[ ## |Respond with)/.exec(prompt)?.[1] ?? '';
    const outputs = [
      ...(/Your output fields are:\n([\s\S]*?)\nAll interactions/.exec(request.messages[0]?.content ?? '')?.[1] ?? '').matchAll(
        /`(\w+)`/g,
      ),
    ].map((m) => m[1] as string);
    const fields = outputs.length ? outputs : ['answer'];
    const gold = goldByQuestion.get(question);
    const demoQuestions = request.messages
      .slice(1, -1)
      .filter((m) => m.role === 'user')
      .map((m) => /\[\[ ## question ## \]\]\n([\s\S]*?)(?:\n\n|$)/.exec(m.content)?.[1] ?? '');
    const { answer, reasoning } =
      gold === undefined
        ? { answer: 0, reasoning: 'I do not recognise this problem.' }
        : simulatedAnswer(question, gold, instructionsOf(request), demoQuestions);
    return chatReply(Object.fromEntries(fields.map((f, k) => [f, k === fields.length - 1 ? String(answer) : reasoning])));
  });
}

/** Task LM for a plain system prompt + question (the DefaultAdapter's format). */
export function simulatedChatLM(goldByQuestion: ReadonlyMap<string, number>): ScriptedLM {
  return new ScriptedLM((request) => {
    const system = request.messages[0]?.content ?? '';
    const question = request.messages[1]?.content ?? '';
    const gold = goldByQuestion.get(question);
    if (gold === undefined) return 'I do not recognise this problem. The answer is 0.';
    const { answer, reasoning } = simulatedAnswer(question, gold, system);
    return `${reasoning} The answer is ${answer}.`;
  });
}

/** Reads the failing examples in the reflection prompt and adds the rule for each kind of problem they show. */
export function simulatedReflectionLM(prompt: string): string {
  const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const failing = prompt.split('# Example ').filter((block) => /## Feedback\n(?:The response is )?incorrect/i.test(block));
  const rules = SKILLS.filter((s) => failing.some((block) => s.appliesTo.test(block.split('## Generated Outputs')[0] ?? ''))).map(
    (s) => s.rule,
  );
  const lines = [current, ...rules.filter((rule) => !current.includes(rule))];
  return `\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

/**
 * A simulated prompt model for COPRO and MIPROv2: each proposal combines the base instruction with a deterministic
 * choice of the three rules (by rollout id and completion index), so some proposals help and some do not.
 */
export function simulatedPromptModel(): ScriptedLM {
  return new ScriptedLM((request) => {
    const system = request.messages[0]?.content ?? '';
    if (system.includes('`observations`') && !system.includes('`proposed_instruction`')) {
      return chatReply({
        observations:
          'Grade-school math word problems with a numeric answer; many involve percentages, per-item amounts or time units.',
      });
    }
    if (system.includes('`program_description`') && !system.includes('`proposed_instruction`')) {
      return chatReply({ program_description: 'One step reasons about the problem and writes the final number.' });
    }
    const seed = [...String(request.rolloutId ?? '')].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
    return Array.from({ length: request.n ?? 1 }, (_, i) => {
      const mask = (seed + i * 5) % 8;
      const rules = SKILLS.filter((_, k) => mask & (1 << k)).map((s) => s.rule);
      const instruction = ['Solve the math word problem and give the final number.', ...rules].join(' ');
      return chatReply({ proposed_instruction: instruction, proposed_prefix_for_output_field: 'Answer:' });
    });
  });
}
