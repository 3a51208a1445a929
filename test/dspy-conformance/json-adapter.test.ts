// Translated from stanfordnlp/dspy tests/adapters/test_json_adapter.py and test_adapter_utils.py (own code).
import { AdapterParseError, ChatAdapter, JSONAdapter, Predict, ScriptedLM, signature, withSettings, z } from 'tsdspy';
import { describe, expect } from 'vitest';
import { conformance } from './conformance.js';

const noteOf = (system: string, field: string) =>
  new RegExp(`"${field}": "\\{${field}\\} {8}# note: the value you produce must adhere to the JSON schema: (.*)"`).exec(
    system,
  )?.[1];

describe('test_json_adapter.py', () => {
  const { dspy, deliberate, notProvided, notApplicable, awaiting } = conformance('tests/adapters/test_json_adapter.py');

  deliberate('test_json_adapter_format_exact_messages_for_simple_signature', 'D1', () => {
    const messages = new JSONAdapter().format(signature('question -> answer', 'Answer the question.'), [], {
      question: 'What is the capital of France?',
    });
    const system = messages[0]?.content ?? '';
    expect(system).toContain('Inputs will have the following structure:\n\n[[ ## question ## ]]\n{question}');
    expect(system).toContain('Outputs will be a JSON object with the following fields.\n\n{\n  "answer": "{answer}"\n}');
    expect(messages[1]?.content).toBe(
      '[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with a JSON object in the following order of fields: `answer`.',
    );
  });

  deliberate('test_json_adapter_format_exact_messages_with_demo_and_typed_output', 'D1', () => {
    const sig = signature({ inputs: { question: z.string() }, outputs: { answer: z.string(), confidence: z.number() } });
    const messages = new JSONAdapter().format(sig, [{ question: 'Q1', answer: 'A1', confidence: 0.5 }], { question: 'Q2' });
    expect(JSON.parse(messages[2]?.content ?? '')).toEqual({ answer: 'A1', confidence: 0.5 });
  });

  deliberate('test_json_adapter_format_exact_messages_with_described_and_bool_outputs', 'D1', () => {
    const sig = signature({
      inputs: { question: z.string().describe('The question') },
      outputs: { answer: z.string().describe('The answer'), is_correct: z.boolean() },
    });
    const system = new JSONAdapter().format(sig, [], { question: 'q' })[0]?.content ?? '';
    expect(system).toContain('1. `question` (string): The question');
    expect(system).toContain('1. `answer` (string): The answer');
    expect(system).toContain('"is_correct": "{is_correct}        # note: the value you produce must be True or False"');
  });

  awaiting('stream #16', 'test_json_adapter_format_exact_messages_with_history_demo_pydantic_tools_and_image', async () => {
    expect(Object.keys(await import('tsdspy'))).toContain('History');
  });

  dspy('test_json_adapter_format_exact_messages_with_int_and_mapping_outputs', () => {
    const sig = signature({
      inputs: { question: z.string() },
      outputs: { count: z.int(), metadata: z.record(z.string(), z.int()) },
    });
    const system = new JSONAdapter().format(sig, [], { question: 'Count things' })[0]?.content ?? '';
    const note = noteOf(system, 'metadata');
    expect(note).toBeDefined();
    expect(JSON.parse(JSON.parse(`"${note}"`))).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  deliberate('test_json_adapter_format_exact_messages_with_literal_and_enum_outputs', 'D1', () => {
    const sig = signature({
      inputs: { text: z.string() },
      outputs: { sentiment: z.enum(['positive', 'negative']), label: z.enum(['POSITIVE', 'NEGATIVE']) },
    });
    const system = new JSONAdapter().format(sig, [], { text: 't' })[0]?.content ?? '';
    expect(system).toMatch(/"sentiment": "\{sentiment\} {8}# note: the value you produce must be exactly one of: .*positive/);
  });

  dspy('test_json_adapter_format_exact_messages_with_nested_pydantic_output', () => {
    const sig = signature({
      inputs: { question: z.string() },
      outputs: { summary: z.object({ headline: z.string(), details: z.object({ score: z.number() }) }) },
    });
    const system = new JSONAdapter().format(sig, [], { question: 'q' })[0]?.content ?? '';
    const note = noteOf(system, 'summary');
    expect(note).toBeDefined();
    expect(JSON.parse(JSON.parse(`"${note}"`))).toMatchObject({
      type: 'object',
      properties: { headline: { type: 'string' }, details: { type: 'object', properties: { score: { type: 'number' } } } },
      required: ['headline', 'details'],
    });
  });

  dspy('test_json_adapter_format_exact_messages_with_incomplete_demo', () => {
    const sig = signature({ inputs: { question: z.string(), context: z.string() }, outputs: { answer: z.string() } });
    const messages = new JSONAdapter().format(sig, [{ question: 'Q1' }], { question: 'Q2', context: 'C2' });
    expect(messages[1]?.content).toContain('[[ ## context ## ]]\nNot supplied for this particular example.');
  });

  notProvided('test_json_adapter_format_exact_messages_and_lm_kwargs_with_native_tool_calling', 'D4');
  notProvided('test_json_adapter_format_exact_messages_with_tool_calls_output_demo', 'D4');
  notProvided('test_json_adapter_format_exact_non_native_tool_result_history_field', 'D4');

  dspy('test_json_adapter_passes_structured_output_when_supported_by_model', async () => {
    const lm = new ScriptedLM(['{"answer": "Paris"}'], { capabilities: { responseFormat: true } });
    await withSettings({ lm, adapter: new JSONAdapter() }, () => new Predict('question -> answer').call({ question: 'q' }));
    expect(lm.requests[0]?.responseFormat).toMatchObject({ type: 'json_schema' });
  });

  dspy('test_json_adapter_not_using_structured_outputs_when_not_supported_by_model', async () => {
    const lm = new ScriptedLM(['{"answer": "Paris"}']);
    await withSettings({ lm, adapter: new JSONAdapter() }, () => new Predict('question -> answer').call({ question: 'q' }));
    expect(lm.requests[0]?.responseFormat).toBeUndefined();
  });

  dspy('test_json_adapter_with_structured_outputs_does_not_mutate_original_signature', async () => {
    const predict = new Predict('question -> answer');
    const before = JSON.stringify(predict.signature.toJSON());
    const lm = new ScriptedLM(['{"answer": "Paris"}'], { capabilities: { responseFormat: true } });
    await withSettings({ lm, adapter: new JSONAdapter() }, () => predict.call({ question: 'q' }));
    expect(JSON.stringify(predict.signature.toJSON())).toBe(before);
  });

  dspy('test_json_adapter_sync_call', async () => {
    const lm = new ScriptedLM(['{"answer": "Paris"}']);
    const response = await new JSONAdapter().call({
      lm,
      signature: signature('question -> answer'),
      demos: [],
      inputs: { question: 'What is the capital of France?' },
      config: {},
    });
    expect(response.outputs).toEqual([{ answer: 'Paris' }]);
  });
  notApplicable('test_json_adapter_async_call', 'Python has separate sync and async adapter paths; tsdspy is async only');

  deliberate('test_json_adapter_on_pydantic_model', 'D1', async () => {
    const sig = signature({
      inputs: {
        user: z.object({ id: z.int(), name: z.string(), email: z.string() }).describe('The user who asks the question'),
        question: z.string().describe('Question the user asks'),
      },
      outputs: { answer: z.object({ analysis: z.string(), result: z.string() }).describe('Answer to this question') },
    });
    const lm = new ScriptedLM(["{'answer': {'analysis': 'Paris is the capital of France', 'result': 'Paris'}}"]);
    const result = await withSettings({ lm, adapter: new JSONAdapter() }, () =>
      new Predict(sig).call({
        user: { id: 5, name: 'name_test', email: 'email_test' },
        question: 'What is the capital of France?',
      }),
    );
    expect(lm.requests[0]?.messages).toHaveLength(2);
    const system = lm.requests[0]?.messages[0]?.content ?? '';
    expect(system).toContain(
      '1. `user` (object): The user who asks the question\n2. `question` (string): Question the user asks\n',
    );
    expect(system).toContain('1. `answer` (object): Answer to this question\n');
    expect(system).toContain('[[ ## user ## ]]\n{user}\n\n[[ ## question ## ]]\n{question}\n\n');
    expect(result.answer).toEqual({ analysis: 'Paris is the capital of France', result: 'Paris' });
  });

  deliberate('test_json_adapter_parse_raise_error_on_mismatch_fields', 'D5', async () => {
    const lm = new ScriptedLM(["{'answer1': 'Paris'}"]);
    const sig = signature('question -> answer');
    const error = await new JSONAdapter()
      .call({ lm, signature: sig, demos: [], inputs: { question: 'q' }, config: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterParseError);
    const parseError = error as AdapterParseError;
    expect(parseError.adapter).toBe('JSONAdapter');
    expect(parseError.signature).toBe(sig);
    expect(parseError.rawReply).toBe("{'answer1': 'Paris'}");
    expect(parseError.missing).toEqual(['answer']);
  });

  for (const name of [
    'test_json_adapter_formats_image',
    'test_json_adapter_formats_image_with_few_shot_examples',
    'test_json_adapter_formats_image_with_nested_images',
    'test_json_adapter_formats_with_nested_documents',
    'test_json_adapter_formats_image_with_few_shot_examples_with_nested_images',
  ]) {
    awaiting('stream #16', name, async () => {
      expect(Object.keys(await import('tsdspy'))).toContain('Image');
    });
  }
  notProvided('test_json_adapter_with_tool', 'D4');
  notProvided('test_json_adapter_with_code', 'D4');
  awaiting('stream #16', 'test_json_adapter_formats_conversation_history', async () => {
    expect(Object.keys(await import('tsdspy'))).toContain('History');
  });
  notApplicable('test_json_adapter_on_pydantic_model_async', 'async twin of a sync test; tsdspy is async only');
  notApplicable(
    'test_json_adapter_does_not_fallback_to_json_mode_on_structured_output_lm_error',
    'litellm response_format negotiation; tsdspy reads the LM capabilities instead',
  );
  notApplicable(
    'test_json_adapter_json_mode_no_structured_outputs',
    'litellm json_object mode negotiation; tsdspy reads the LM capabilities instead',
  );
  notApplicable('test_json_adapter_json_mode_no_structured_outputs_async', 'async twin; tsdspy is async only');
  notApplicable(
    'test_json_adapter_does_not_fallback_to_json_mode_on_structured_output_lm_error_async',
    'async twin; tsdspy is async only',
  );

  dspy('test_error_message_on_json_adapter_failure', async () => {
    const lm = new ScriptedLM(['I am not JSON']);
    await expect(
      new JSONAdapter().call({
        lm,
        signature: signature('question -> answer'),
        demos: [],
        inputs: { question: 'q' },
        config: {},
      }),
    ).rejects.toThrow(AdapterParseError);
  });
  notApplicable('test_error_message_on_json_adapter_failure_async', 'async twin; tsdspy is async only');
  notProvided('test_json_adapter_toolcalls_native_function_calling', 'D4');
  notProvided('test_json_adapter_toolcalls_no_native_function_calling', 'D4');
  notProvided('test_json_adapter_native_reasoning', 'D4');
  awaiting('stream #16', 'test_json_adapter_with_responses_api', async () => {
    expect(Object.keys(await import('tsdspy')).some((k) => /responses/i.test(k))).toBe(true);
  });

  deliberate('test_format_system_message', 'D1', () => {
    const sig = signature({
      inputs: { question: z.string() },
      outputs: { answers: z.array(z.string()), scores: z.array(z.number()) },
    });
    const system = new JSONAdapter().format(sig, [], { question: 'q' })[0]?.content ?? '';
    expect(JSON.parse(JSON.parse(`"${noteOf(system, 'answers')}"`))).toEqual({ type: 'array', items: { type: 'string' } });
    expect(JSON.parse(JSON.parse(`"${noteOf(system, 'scores')}"`))).toEqual({ type: 'array', items: { type: 'number' } });
  });

  dspy('test_missing_optional_output_fields_fall_back_to_defaults', () => {
    const sig = signature({
      inputs: { question: z.string() },
      outputs: { answer: z.string(), note: z.string().nullable().default('No note'), maybe: z.string().nullable() },
    });
    expect(new JSONAdapter().parse(sig, '{"answer": "42"}')).toEqual({ answer: '42', note: 'No note', maybe: null });
    expect(() => new JSONAdapter().parse(sig, '{"note": "present"}')).toThrow(AdapterParseError);
  });

  dspy('JSONAdapter coerces scalars into string fields (parse_value(123, str) == "123")', () => {
    expect(new JSONAdapter().parse(signature('question -> answer'), '{"answer": 42}')).toEqual({ answer: '42' });
  });
});

// tests/adapters/test_adapter_utils.py tests `parse_value(value, annotation)`; tsdspy's equivalent is how an adapter
// reads one output field of that type, so each case parses a reply through the adapters.
const one = (schema: z.ZodType) => signature({ inputs: { q: z.string() }, outputs: { v: schema } });
const viaJSON = (schema: z.ZodType, value: unknown) => new JSONAdapter().parse(one(schema), JSON.stringify({ v: value })).v;
const viaChat = (schema: z.ZodType, text: string) =>
  new ChatAdapter().parse(one(schema), `[[ ## v ## ]]\n${text}\n\n[[ ## completed ## ]]`).v;

describe('test_adapter_utils.py', () => {
  const { dspy, deliberate } = conformance('tests/adapters/test_adapter_utils.py');

  deliberate('test_parse_value_str_annotation', 'D3', () => {
    expect(viaJSON(z.string(), 123)).toBe('123');
    expect(viaJSON(z.string(), true)).toBe('true'); // DSPy: "True"
    expect(viaJSON(z.string(), 'hello')).toBe('hello');
    expect(viaJSON(z.string(), [1, 2, 3])).toBe('[1,2,3]'); // DSPy: "[1, 2, 3]"
  });

  dspy('test_parse_value_pydantic_types', () => {
    const Profile = z.object({ name: z.string(), age: z.int() });
    expect(viaChat(Profile, '{"name": "John", "age": 30}')).toEqual({ name: 'John', age: 30 });
    expect(viaJSON(Profile, { name: 'Jane', age: 25 })).toEqual({ name: 'Jane', age: 25 });
    expect(() => viaChat(Profile, '{"name": "John"}')).toThrow(AdapterParseError);
  });

  dspy('test_parse_value_basic_types', () => {
    expect(viaChat(z.int(), '42')).toBe(42);
    expect(viaJSON(z.int(), 42)).toBe(42);
    expect(viaChat(z.number(), '3.14')).toBe(3.14);
    expect(viaJSON(z.number(), 3.14)).toBe(3.14);
    expect(viaChat(z.boolean(), 'true')).toBe(true);
    expect(viaJSON(z.boolean(), true)).toBe(true);
    expect(viaChat(z.boolean(), 'false')).toBe(false);
    expect(viaChat(z.array(z.int()), '[1, 2, 3]')).toEqual([1, 2, 3]);
    expect(viaJSON(z.array(z.int()), [1, 2, 3])).toEqual([1, 2, 3]);
  });

  dspy('test_parse_value_literal', () => {
    const options = z.enum(['option1', 'option2']);
    expect(viaChat(options, 'option1')).toBe('option1');
    expect(viaChat(options, 'option2')).toBe('option2');
    expect(viaChat(options, "'option1'")).toBe('option1');
    expect(viaChat(options, '"option1"')).toBe('option1');
    expect(viaChat(options, 'Literal[option1]')).toBe('option1');
    expect(viaChat(options, 'str[option1]')).toBe('option1');
    expect(() => viaChat(options, 'invalid')).toThrow(AdapterParseError);
  });

  dspy('test_parse_value_union', () => {
    expect(viaChat(z.string().nullable().optional(), 'test')).toBe('test');
    expect(viaChat(z.int().nullable(), '5')).toBe(5);
    expect(viaJSON(z.string().nullable(), null) ?? null).toBeNull();
    expect(viaChat(z.string().nullable(), 'text with [placeholder]')).toBe('text with [placeholder]');
    const intOrStr = z.union([z.int(), z.string()]).nullable();
    expect(viaChat(intOrStr, 'fallback')).toBe('fallback');
    expect(viaJSON(intOrStr, 5)).toBe(5);
    expect(viaChat(intOrStr, 'text with [placeholder]')).toBe('text with [placeholder]');
  });

  dspy('test_parse_value_json_repair', () => {
    const dict = z.record(z.string(), z.unknown());
    expect(viaChat(dict, '{"key": "value"}')).toEqual({ key: 'value' });
    expect(viaChat(dict, "{'key': 'value'}")).toEqual({ key: 'value' });
    expect(() => viaChat(dict, 'not json or literal')).toThrow(AdapterParseError);
  });
});
