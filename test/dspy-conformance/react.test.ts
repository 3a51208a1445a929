// Translated from stanfordnlp/dspy tests/predict/test_react.py (own code).
import { ContextWindowExceededError, chatReply, type LMRequest, ReAct, ScriptedLM, tool, withSettings, z } from 'tsdspy';
import { expect } from 'vitest';
import { conformance } from './conformance.js';

const { dspy, deliberate, notApplicable, awaiting } = conformance('tests/predict/test_react.py');

const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');
const step = (thought: string, name: string, args: unknown) =>
  chatReply({ next_thought: thought, next_tool_name: name, next_tool_args: args });

awaiting('stream #16', 'test_tool_observation_preserves_custom_type', async () => {
  expect(Object.keys(await import('tsdspy'))).toContain('Image');
});

const CalendarEvent = z.object({ name: z.string(), date: z.string(), participants: z.record(z.string(), z.string()) });
const writeInvitation = tool({
  name: 'write_invitation_letter',
  description: 'Writes an invitation letter.',
  parameters: z.object({ participant_name: z.string(), event_info: CalendarEvent }),
  execute: ({ participant_name, event_info }) =>
    participant_name in event_info.participants
      ? `It's my honor to invite ${participant_name} to event ${event_info.name} on ${event_info.date}`
      : null,
});

deliberate('test_tool_calling_with_pydantic_args', 'D6', async () => {
  const sig = {
    inputs: {
      participant_name: z.string().describe('The name of the participant to invite'),
      event_info: CalendarEvent.describe('The information about the event'),
    },
    outputs: { invitation_letter: z.string().describe('The invitation letter to be sent to the participant') },
  };
  const { signature } = await import('tsdspy');
  const react = new ReAct(signature(sig), { tools: [writeInvitation] });
  const event = { name: 'Science Fair', date: 'Friday', participants: { Alice: 'female', Bob: 'male' } };
  const replies = [
    step('I need to write an invitation letter for Alice to the Science Fair event.', 'write_invitation_letter', {
      participant_name: 'Alice',
      event_info: event,
    }),
    step('I have successfully written the invitation letter. Now I can finish the task.', 'finish', {}),
    chatReply({ reasoning: 'trust me', invitation_letter: "It's my honor to invite Alice to the Science Fair event on Friday." }),
  ];
  const lm = new ScriptedLM(replies);
  const out = await withSettings({ lm }, () => react.call({ participant_name: 'Alice', event_info: event }));
  expect(out.invitation_letter).toBe("It's my honor to invite Alice to the Science Fair event on Friday.");
  // DSPy: a flat dict {thought_0, tool_name_0, tool_args_0, observation_0, …}; tsdspy: an array of steps.
  expect(out.trajectory).toEqual([
    {
      thought: 'I need to write an invitation letter for Alice to the Science Fair event.',
      toolName: 'write_invitation_letter',
      toolArgs: { participant_name: 'Alice', event_info: event },
      observation: "It's my honor to invite Alice to event Science Fair on Friday",
    },
    {
      thought: 'I have successfully written the invitation letter. Now I can finish the task.',
      toolName: 'finish',
      toolArgs: {},
      observation: 'Completed.',
    },
  ]);
});

notApplicable(
  'test_react_with_tools_skips_native_response_issubclass_for_generic_alias',
  'monkeypatches Python issubclass for a generic alias annotation',
);

const foo = tool({
  name: 'foo',
  description: 'Add two numbers.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

deliberate('test_tool_calling_without_typehint', 'D6', async () => {
  const react = new ReAct('a, b -> c: int', { tools: [foo] });
  const lm = new ScriptedLM([
    step('I need to add two numbers.', 'foo', { a: 1, b: 2 }),
    step('I have the sum, now I can finish.', 'finish', {}),
    chatReply({ reasoning: 'I added the numbers successfully', c: 3 }),
  ]);
  const out = await withSettings({ lm }, () => react.call({ a: '1', b: '2' }));
  expect(out.c).toBe(3);
  // The observation keeps its value (3), as in DSPy.
  expect(out.trajectory).toEqual([
    { thought: 'I need to add two numbers.', toolName: 'foo', toolArgs: { a: 1, b: 2 }, observation: 3 },
    { thought: 'I have the sum, now I can finish.', toolName: 'finish', toolArgs: {}, observation: 'Completed.' },
  ]);
});

const echo = tool({
  name: 'echo',
  description: 'Echoes text.',
  parameters: z.object({ text: z.string() }),
  execute: ({ text }) => `Echoed: ${text}`,
});

dspy('test_trajectory_truncation', async () => {
  let reactCalls = 0;
  const lm = new ScriptedLM((request) => {
    if (!isReact(request)) return chatReply({ reasoning: 'r', output_text: 'Final output' });
    reactCalls++;
    if (reactCalls < 3) return step(`Thought ${reactCalls}`, 'echo', { text: `Text ${reactCalls}` });
    if (reactCalls === 3) throw new ContextWindowExceededError('too long', 'scripted');
    return step('Final thought', 'finish', {});
  });
  const out = await withSettings({ lm }, () =>
    new ReAct('input_text -> output_text', { tools: [echo] }).call({ input_text: 'test input' }),
  );
  expect(out.trajectory.map((s) => s.thought)).not.toContain('Thought 1');
  expect(out.trajectory.map((s) => s.thought)).toContain('Final thought');
  expect(out.output_text).toBe('Final output');
});

notApplicable('test_truncate_trajectory_raises_on_single_tool_call', 'calls a private Python helper (truncate_trajectory)');
notApplicable(
  'test_truncation_exhausted_raises_context_window_exceeded_error',
  'calls a private Python helper (_call_with_potential_trajectory_truncation)',
);

dspy('test_context_window_exceeded_after_retries', async () => {
  const extractInputs: string[] = [];
  const lm = new ScriptedLM((request) => {
    if (isReact(request)) throw new ContextWindowExceededError('too long', 'scripted');
    extractInputs.push(request.messages.at(-1)?.content ?? '');
    return chatReply({ reasoning: 'r', output_text: 'Fallback output' });
  });
  const out = await withSettings({ lm }, () =>
    new ReAct('input_text -> output_text', { tools: [echo] }).call({ input_text: 'test input' }),
  );
  expect(out.trajectory).toEqual([]);
  expect(out.output_text).toBe('Fallback output');
  expect(extractInputs).toHaveLength(1);
  expect(extractInputs[0]).toContain('test input');
  expect(extractInputs[0]).toContain('[[ ## trajectory ## ]]');
});

const failingFoo = tool({
  name: 'foo',
  description: 'Always fails.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: () => {
    throw new Error('tool error');
  },
});

dspy('test_error_retry', async () => {
  const lm = new ScriptedLM([
    step('I need to add two numbers.', 'foo', { a: 1, b: 2 }),
    step('I need to add two numbers.', 'foo', { a: 1, b: 2 }),
    chatReply({ reasoning: 'I added the numbers successfully', c: 3 }),
  ]);
  const out = await withSettings({ lm }, () =>
    new ReAct('a, b -> c: int', { tools: [failingFoo] }).call({ a: '1', b: '2' }, { maxIters: 2 }),
  );
  expect(out.trajectory).toHaveLength(2);
  for (const s of out.trajectory) {
    expect(s).toMatchObject({ thought: 'I need to add two numbers.', toolName: 'foo', toolArgs: { a: 1, b: 2 } });
    expect(String(s.observation)).toMatch(/\btool error\b/);
  }
});

deliberate('test_tool_error_observation_format', 'D6', async () => {
  const failing = tool({
    name: 'failing_tool',
    description: 'Fails.',
    parameters: z.object({}),
    execute: () => {
      throw new TypeError('tool blew up');
    },
  });
  const lm = new ScriptedLM([step('I will call the tool.', 'failing_tool', {}), chatReply({ reasoning: 'r', answer: 'n/a' })]);
  const out = await withSettings({ lm }, () =>
    new ReAct('question -> answer', { tools: [failing] }).call({ question: 'What happens?' }, { maxIters: 1 }),
  );
  const obs = String(out.trajectory[0]?.observation);
  // DSPy appends a Python traceback; tsdspy names the tool and the error (no stack: it would leak local paths).
  expect(obs.startsWith('Execution error in failing_tool: ')).toBe(true);
  expect(obs.endsWith('TypeError: tool blew up')).toBe(true);
});

notApplicable('test_async_tool_calling_with_pydantic_args', 'async twin of a sync test; tsdspy is async only');
notApplicable('test_async_error_retry', 'async twin of a sync test; tsdspy is async only');

dspy('ReAct max_iters defaults to 20 (dspy.ReAct signature)', () => {
  expect(new ReAct('question -> answer', { tools: [echo] }).maxIters).toBe(20);
});
