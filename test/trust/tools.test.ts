import { chatReply, type LMRequest, ReAct, ScriptedLM, ToolArgumentsError, tool, z } from 'tsdspy';
import { describe, expect, it } from 'vitest';

const add = tool({
  name: 'add',
  description: 'Adds two numbers.',
  parameters: z.object({ a: z.number(), b: z.number(), exact: z.boolean().optional(), tags: z.array(z.string()).optional() }),
  execute: ({ a, b, exact, tags }) => ({ sum: a + b, exact: exact ?? null, tags: tags ?? [] }),
});

describe('tool argument coercion (pydantic lax mode)', () => {
  it('coerces string-typed numbers, booleans and JSON arrays/objects to the schema', async () => {
    expect(await add.call({ a: '41', b: '1', exact: 'true', tags: '["x","y"]' })).toEqual({
      sum: 42,
      exact: true,
      tags: ['x', 'y'],
    });
    const point = tool({
      name: 'point',
      description: 'A point.',
      parameters: z.object({ at: z.object({ x: z.number() }) }),
      execute: ({ at }) => at.x,
    });
    expect(await point.call({ at: '{"x": 3}' })).toBe(3);
  });

  it('values that cannot be coerced still fail validation', async () => {
    await expect(add.call({ a: 'forty-one', b: 1 })).rejects.toBeInstanceOf(ToolArgumentsError);
  });

  it('in ReAct, a string-typed argument does not cost an extra step', async () => {
    const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');
    let steps = 0;
    const lm = new ScriptedLM((r) => {
      if (!isReact(r)) return chatReply({ reasoning: 'r', answer: '42' });
      steps++;
      return steps === 1
        ? chatReply({ next_thought: 'add', next_tool_name: 'add', next_tool_args: { a: '41', b: '1' } })
        : chatReply({ next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} });
    });
    const agent = new ReAct('question -> answer', { tools: [add], predict: { lm } });
    const result = await agent.call({ question: '41 + 1?' });
    expect(JSON.stringify(result.trajectory[0]?.observation)).toContain('"sum":42');
    expect(steps).toBe(2);
  });
});

describe('ReAct JSON step replies', () => {
  it('reads a step written as one JSON object with every step field', async () => {
    const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');
    let steps = 0;
    const lm = new ScriptedLM((r) => {
      if (!isReact(r)) return chatReply({ reasoning: 'r', answer: '5' });
      steps++;
      return steps === 1
        ? JSON.stringify({ next_thought: 'add them', next_tool_name: 'add', next_tool_args: { a: 2, b: 3 } })
        : JSON.stringify({ next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} });
    });
    const agent = new ReAct('question -> answer', { tools: [add], predict: { lm } });
    const result = await agent.call({ question: '2 + 3?' });
    expect(result.trajectory.map((s) => s.toolName)).toEqual(['add', 'finish']);
    expect(JSON.stringify(result.trajectory[0]?.observation)).toContain('"sum":5');
  });
});
