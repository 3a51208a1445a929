/**
 * Simulated LMs for the program-evolution example — NOT models. The task LM is examples/gsm8k-gepa's: it answers
 * from the gold number but makes a kind-specific mistake unless the instructions it sees carry the matching rule.
 * The reflection LM proposes the next program from a fixed ladder (reason → compute → verify), choosing by which
 * kinds of problems the feedback shows failing. Real runs use real models for both.
 */
const RULES = {
  percentages:
    'When a problem gives a percentage, turn it into a fraction of the quantity it refers to before combining it with anything else.',
  items: 'When amounts are given per item (each, per, every), multiply by the number of items before adding totals.',
  time: 'Keep units of time consistent: convert between minutes and hours before combining quantities.',
};

const REASON_AND_SOLVE = `import { ChainOfThought, Module } from 'tsdspy';

class MathSolver extends Module<{ question: string }, { answer: string }> {
  solve = new ChainOfThought('question -> answer "the final number"');

  constructor() {
    super();
    this.solve.instructions = ${JSON.stringify(`Solve the math word problem step by step. ${RULES.percentages}`)};
  }

  async forward({ question }: { question: string }) {
    const { answer } = await this.solve.call({ question });
    return { answer };
  }
}

export default new MathSolver();
`;

const REASON_COMPUTE_VERIFY = `import { ChainOfThought, Module, Predict, parseNumber } from 'tsdspy';

class MathSolver extends Module<{ question: string }, { answer: string }> {
  plan = new ChainOfThought('question -> plan "the quantities involved and how they combine"');
  compute = new ChainOfThought('question, plan -> answer "the final number"');
  verify = new Predict('question, answer -> corrected_answer "the same number if it is right, else the corrected one"');

  constructor() {
    super();
    const rules = ${JSON.stringify(Object.values(RULES).join(' '))};
    this.plan.instructions = 'List the quantities in the problem and how they must be combined. ' + rules;
    this.compute.instructions = 'Follow the plan and compute the final number. ' + rules;
    this.verify.instructions = 'Check the answer against the problem. ' + rules;
  }

  async forward({ question }: { question: string }) {
    const { plan } = await this.plan.call({ question });
    const { answer } = await this.compute.call({ question, plan });
    const { corrected_answer } = await this.verify.call({ question, answer });
    return { answer: String(parseNumber(corrected_answer) ?? parseNumber(answer) ?? answer) };
  }
}

export default new MathSolver();
`;

export function simulatedProgramReflection(prompt: string): string {
  const current = /## The current program\n```ts\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const next = current.includes('ChainOfThought') ? REASON_COMPUTE_VERIFY : REASON_AND_SOLVE;
  return `The single step makes systematic mistakes; here is a better program.\n\`\`\`ts\n${next}\`\`\``;
}
