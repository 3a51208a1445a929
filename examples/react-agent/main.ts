/**
 * A ReAct agent with two typed tools (a unit-price lookup and a calculator). Runs offline on a ScriptedLM that
 * plays the agent by reading its own prompt, so the run below is simulated: it shows the loop, not a model.
 */
import { chatReply, configure, ReAct, ScriptedLM, tool, z } from 'tsdspy';
import { exampleLM } from '../lm.js';

const PRICES: Record<string, number> = { apple: 0.5, bread: 2.25, coffee: 7.8 };

const lookupPrice = tool({
  name: 'lookup_price',
  description: 'Unit price in dollars of a grocery item.',
  parameters: z.object({ item: z.string().describe('Item name, singular, lower case') }),
  execute: ({ item }) => {
    const price = PRICES[item];
    if (price === undefined) throw new Error(`unknown item "${item}"; known: ${Object.keys(PRICES).join(', ')}`);
    return price;
  },
});

const calculator = tool({
  name: 'multiply',
  description: 'Multiplies two numbers.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => Math.round(a * b * 100) / 100,
});

/** Simulated agent: look up the item, multiply by the quantity, finish; then answer from the trajectory. */
const simulated = new ScriptedLM((request) => {
  const system = request.messages[0]?.content ?? '';
  const prompt = request.messages.at(-1)?.content ?? '';
  const question = /\[\[ ## question ## \]\]\n(.*)/.exec(prompt)?.[1] ?? '';
  const [, qty, rawItem] = /(\d+) (\w+?)s?\b/.exec(question.replace(/loaves/, 'breads')) ?? [];
  const observations = [...prompt.matchAll(/observation: (.*)/g)].map((m) => m[1] as string);
  if (!system.includes('`next_thought`')) {
    return chatReply({
      reasoning: `The trajectory ends with a total of ${observations.at(-2)}.`,
      total: Number(observations.at(-2)),
    });
  }
  if (observations.length === 0) {
    return chatReply({
      next_thought: `I need the price of ${rawItem}.`,
      next_tool_name: 'lookup_price',
      next_tool_args: { item: rawItem },
    });
  }
  if (observations.length === 1) {
    return chatReply({
      next_thought: `Multiply by ${qty}.`,
      next_tool_name: 'multiply',
      next_tool_args: { a: Number(observations[0]), b: Number(qty) },
    });
  }
  return chatReply({ next_thought: 'I have the total.', next_tool_name: 'finish', next_tool_args: {} });
});

console.log('tsdspy example: ReAct agent with two tools');
configure({ lm: exampleLM(simulated, 'it simulates the agent by reading its own prompt').lm });

const agent = new ReAct('question -> total: number "the total cost in dollars"', {
  tools: [lookupPrice, calculator],
  maxIters: 5,
});
for (const question of ['How much do 12 apples cost?', 'How much do 3 loaves of bread cost?']) {
  const result = await agent.call({ question });
  console.log(`Q: ${question}`);
  for (const step of result.trajectory)
    console.log(`  ${step.toolName}(${JSON.stringify(step.toolArgs)}) -> ${step.observation}`);
  console.log(`  total: ${result.total}\n`);
}
console.log('Optimizable tool texts:', Object.keys(agent.namedParameters()).join(', '));
