import { ContextWindowExceededError, captureTrace, chatReply, type LMRequest, ReAct, ScriptedLM, Tool, tool, z } from 'tsdspy';
import { describe, expect, it } from 'vitest';

const weather = tool({
  name: 'weather',
  description: 'Current weather in a city.',
  parameters: z.object({ city: z.string().describe('City name') }),
  execute: ({ city }) => (city === 'Paris' ? 'sunny, 21C' : `no data for ${city}`),
});
const add = tool({
  name: 'add',
  description: 'Adds two numbers.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});
const failing = tool({
  name: 'flaky',
  description: 'Always fails.',
  parameters: z.object({}),
  execute: () => {
    throw new Error('service unavailable');
  },
});

const step = (thought: string, name: string, args: unknown) =>
  chatReply({ next_thought: thought, next_tool_name: name, next_tool_args: args });
const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');

function agentLM(steps: string[], final: Record<string, unknown>) {
  let i = 0;
  return new ScriptedLM((request) =>
    isReact(request) ? (steps[i++] ?? step('done', 'finish', {})) : chatReply({ reasoning: 'from trajectory', ...final }),
  );
}

describe('ReAct', () => {
  it('runs a multi-step tool loop, extracts typed outputs, and returns the trajectory', async () => {
    const lm = agentLM(
      [step('check weather', 'weather', { city: 'Paris' }), step('add', 'add', { a: 2, b: 3 }), step('done', 'finish', {})],
      {
        answer: 'sunny',
        total: 5,
      },
    );
    const agent = new ReAct('question -> answer, total: int', { tools: [weather, add], predict: { lm } });
    const { result, trace } = await captureTrace(() => agent.call({ question: 'Weather in Paris and 2+3?' }));
    expect(result.answer).toBe('sunny');
    expect(result.total).toBe(5);
    expect(result.trajectory.map((s) => [s.toolName, s.observation])).toEqual([
      ['weather', 'sunny, 21C'],
      ['add', 5],
      ['finish', 'Completed.'],
    ]);
    expect(trace.map((t) => t.predictorName)).toEqual(['react', 'react', 'react', 'extract']);
    const lastReact = lm.requests[2]?.messages.at(-1)?.content ?? '';
    expect(lastReact).toContain('observation: sunny, 21C');
    expect(lastReact).toContain('(1) weather: Current weather in a city.');
    expect(lm.requests[3]?.messages.at(-1)?.content).toContain('[step 3]');
  });

  it('feeds bad tool names, invalid arguments and tool errors back as observations', async () => {
    const lm = agentLM(
      [step('a', 'teleport', {}), step('b', 'add', { a: 'two' }), step('c', 'flaky', {}), step('d', 'finish', {})],
      {
        answer: 'x',
        total: 0,
      },
    );
    const agent = new ReAct('question -> answer, total: int', { tools: [weather, add, failing], predict: { lm } });
    const result = await agent.call({ question: 'q' });
    const observations = result.trajectory.map((s) => s.observation);
    expect(observations[0]).toBe('Error: there is no tool "teleport". Available tools: weather, add, flaky, finish.');
    expect(observations[1]).toMatch(
      /^Execution error in add: ToolArgumentsError: Invalid arguments for tool "add": a: .*expected number/,
    );
    expect(observations[2]).toBe('Execution error in flaky: Error: service unavailable');
    expect(result.trajectory).toHaveLength(4);
  });

  it('stops at maxIters and still extracts', async () => {
    const lm = agentLM(
      Array.from({ length: 10 }, () => step('again', 'weather', { city: 'Oslo' })),
      { answer: 'gave up', total: 0 },
    );
    const agent = new ReAct('question -> answer, total: int', { tools: [weather], maxIters: 3, predict: { lm } });
    const result = await agent.call({ question: 'q' });
    expect(result.trajectory).toHaveLength(3);
    expect(result.answer).toBe('gave up');
    expect(lm.callCount).toBe(4);
  });

  it('keeps going when a reply cannot be parsed', async () => {
    const lm = agentLM(['garbage', 'more garbage', step('ok', 'finish', {})], { answer: 'fine', total: 1 });
    const agent = new ReAct('question -> answer, total: int', { tools: [weather], predict: { lm } });
    const result = await agent.call({ question: 'q' });
    expect(result.trajectory[0]?.observation).toMatch(/^Error: your reply could not be read/);
    expect(result.answer).toBe('fine');
  });

  it('drops the oldest steps when the context window is exceeded', async () => {
    let reactCalls = 0;
    const lm = new ScriptedLM((request) => {
      const prompt = request.messages.at(-1)?.content ?? '';
      const steps = (prompt.match(/\[step \d+\]/g) ?? []).length;
      if (steps > 2) throw new ContextWindowExceededError('too long', 'test', 400);
      if (!isReact(request)) return chatReply({ reasoning: 'r', answer: `saw ${steps} steps`, total: steps });
      reactCalls++;
      return reactCalls <= 4 ? step(`t${reactCalls}`, 'weather', { city: 'Paris' }) : step('done', 'finish', {});
    });
    const agent = new ReAct('question -> answer, total: int', { tools: [weather], predict: { lm } });
    const result = await agent.call({ question: 'q' });
    expect(result.answer).toBe('saw 2 steps');
    expect(result.trajectory.map((s) => s.thought)).toEqual(['t4', 'done']);
  });

  it('exposes tool and argument descriptions as optimizable, saved parameters', async () => {
    const agent = new ReAct('question -> answer', { tools: [weather, add] });
    expect(agent.namedPredictors().map(([n]) => n)).toEqual(['react', 'extract']);
    const params = agent.namedParameters();
    expect(params['tools.weather.description']).toBe('Current weather in a city.');
    expect(params['tools.weather.args.city']).toBe('City name');
    agent.setParameters({ 'tools.weather.description': 'Use for any weather question.', 'tools.add.args.a': 'first addend' });
    expect(agent.renderTools()).toContain('weather: Use for any weather question.');
    expect(agent.renderTools()).toContain('"a":{"type":"number","description":"first addend"}');
    const state = agent.dumpState();
    expect(state.parameters?.['tools.weather.description']).toBe('Use for any weather question.');
    const fresh = new ReAct('question -> answer', {
      tools: [
        new Tool({ ...weather, execute: () => '' }),
        new Tool({ name: 'add', description: 'Adds two numbers.', parameters: add.parameters, execute: () => 0 }),
      ],
    });
    fresh.loadState(JSON.parse(JSON.stringify(state)));
    expect(fresh.namedParameters()).toEqual(agent.namedParameters());
  });

  it('clones tools with the agent, so editing a clone never changes the original', () => {
    const agent = new ReAct('question -> answer', { tools: [weather] });
    const before = agent.namedParameters();
    const copy = agent.clone();
    copy.setParameters({ 'tools.weather.description': 'changed', 'tools.weather.args.city': 'changed too' });
    expect(agent.namedParameters()).toEqual(before);
    expect(copy.namedParameters()['tools.weather.description']).toBe('changed');
    expect(copy.tools.weather).not.toBe(agent.tools.weather);
  });

  it('uses native tool calling when asked and the LM supports it, and traces the steps as react calls', async () => {
    const lm = new ScriptedLM(
      (request) => {
        if (request.tools) {
          const steps = (request.messages.at(-1)?.content.match(/\[step \d+\]/g) ?? []).length;
          const call =
            steps === 0 ? { id: 'c1', name: 'weather', args: { city: 'Paris' } } : { id: 'c2', name: 'finish', args: {} };
          return { text: steps === 0 ? 'I should check the weather.' : 'Done.', toolCalls: [call] };
        }
        return chatReply({ reasoning: 'read it off the trajectory', answer: 'sunny', total: 1 });
      },
      { capabilities: { tools: true } },
    );
    const agent = new ReAct('question -> answer, total: int', { tools: [weather], nativeToolCalling: true, predict: { lm } });
    const { result, trace } = await captureTrace(() => agent.call({ question: 'Weather in Paris?' }));
    expect(result.answer).toBe('sunny');
    expect(result.trajectory.map((s) => [s.thought, s.toolName, s.observation])).toEqual([
      ['I should check the weather.', 'weather', 'sunny, 21C'],
      ['Done.', 'finish', 'Completed.'],
    ]);
    expect(lm.requests[0]?.tools?.map((t) => t.name)).toEqual(['weather', 'finish']);
    expect(lm.requests[0]?.tools?.[0]?.parameters).toMatchObject({ properties: { city: { type: 'string' } } });
    expect(lm.requests[0]?.messages[0]?.content).toBe(agent.react.instructions);
    expect(trace.map((t) => t.predictorName)).toEqual(['react', 'react', 'extract']);
    expect(trace[0]?.outputs).toEqual({
      next_thought: 'I should check the weather.',
      next_tool_name: 'weather',
      next_tool_args: { city: 'Paris' },
    });

    // Without tool support the same agent falls back to predictor steps.
    const plain = agentLM([step('done', 'finish', {})], { answer: 'x', total: 0 });
    const fallback = new ReAct('question -> answer, total: int', {
      tools: [weather],
      nativeToolCalling: true,
      predict: { lm: plain },
    });
    await fallback.call({ question: 'q' });
    expect(plain.requests[0]?.tools).toBeUndefined();
  });

  it('builds simple tools from functions', async () => {
    const shout = Tool.fromFunction(({ text }) => String(text).toUpperCase(), {
      name: 'shout',
      description: 'Upper-cases text.',
      args: { text: 'what to shout' },
    });
    expect(await shout.call({ text: 'hi' })).toBe('HI');
    await expect(shout.call({})).rejects.toThrow(/Invalid arguments for tool "shout"/);
    expect(shout.argDescriptions).toEqual({ text: 'what to shout' });
  });
});
