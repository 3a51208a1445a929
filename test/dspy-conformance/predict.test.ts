// Translated from stanfordnlp/dspy tests/predict/test_predict.py and test_chain_of_thought.py (own code).
import {
  ChainOfThought,
  ChatAdapter,
  chatReply,
  Example,
  InputValidationError,
  JSONAdapter,
  LMNotConfiguredError,
  Module,
  Predict,
  ScriptedLM,
  type Signature,
  signature,
  withSettings,
  z,
} from 'tsdspy';
import { describe, expect } from 'vitest';
import { conformance } from './conformance.js';

const lmFor = (values: Record<string, unknown>) => new ScriptedLM([chatReply(values)], { cycle: true });

describe('test_predict.py', () => {
  const { dspy, deliberate, notApplicable, awaiting } = conformance('tests/predict/test_predict.py');

  dspy('test_initialization_with_string_signature', () => {
    const p = new Predict('input1, input2 -> output');
    expect(p.signature.inputFields.map((f) => f.name)).toEqual(['input1', 'input2']);
    expect(p.signature.outputFields.map((f) => f.name)).toEqual(['output']);
  });
  deliberate('test_reset_method', 'D9', () => {
    const p = new Predict('input -> output');
    p.demos = [{ input: 'x', output: 'y' }];
    p.reset();
    expect(p.demos).toEqual([]);
  });
  notApplicable('test_lm_after_dump_and_load_state', 'LM objects are never saved by tsdspy (keys and clients stay out of files)');
  notApplicable('test_base_lm_dump_state_ignores_internal_class_marker_kwarg', 'Python LM class markers in saved state');
  notApplicable('test_legacy_lm_state_without_class_marker_loads_as_lm', 'Python LM class markers in saved state');
  notApplicable('test_custom_lm_load_state_requires_trusted_opt_in', 'importing custom Python LM classes from saved state');
  notApplicable(
    'test_nested_custom_lm_class_path_loads_for_trusted_state',
    'importing custom Python LM classes from saved state',
  );
  dspy('test_call_method', async () => {
    const out = await withSettings({ lm: lmFor({ output: 'test output' }) }, () =>
      new Predict('input -> output').call({ input: 'test input' }),
    );
    expect(out.output).toBe('test output');
  });
  dspy('test_instructions_after_dump_and_load_state', () => {
    const a = new Predict(signature('input -> output', 'original instructions'));
    const b = new Predict(signature('input -> output', 'new instructions'));
    b.loadState(a.dumpState());
    expect(b.signature.instructions).toBe('original instructions');
  });
  dspy('test_demos_after_dump_and_load_state', () => {
    const sig = signature('content, language -> translation', 'Translate content from a language to English.');
    const a = new Predict(sig);
    a.demos = [{ content: '¿Qué tal?', language: 'SPANISH', translation: 'Hello there' }];
    const saved = JSON.parse(JSON.stringify(a.dumpState()));
    const b = new Predict(sig).loadState(saved);
    expect(b.demos).toHaveLength(1);
    expect(b.demos[0]?.content).toBe('¿Qué tal?');
  });
  awaiting('trust #12', 'test_typed_demos_after_dump_and_load_state', () => {
    const p = new Predict('question -> answer');
    p.demos = [new Example({ question: 'q', answer: 'a' }).withInputs('question') as never];
    expect(p.dumpState().predictors.self?.demos[0]).toEqual({ question: 'q', answer: 'a' });
  });
  dspy('test_signature_fields_after_dump_and_load_state', () => {
    const a = new Predict(
      signature({
        instructions: 'I am just an instruction.',
        inputs: { sentence: z.string().describe('I am an innocent input!') },
        outputs: { sentiment: z.string() },
      }),
    );
    const b = new Predict(
      signature({
        instructions: 'I am not a pure instruction.',
        inputs: { sentence: z.string().describe('I am a malicious input!') },
        outputs: { sentiment: z.string().describe('I am a malicious output!') },
      }).withUpdatedField('sentiment', { prefix: 'I am a prefix!' }),
    );
    // DSPy compares Signature.dump_state(): instructions and each field's prefix and description.
    const texts = (p: { signature: Signature<object, object> }) => ({
      instructions: p.signature.instructions,
      fields: p.signature.fields.map((f) => [f.prefix, f.description]),
    });
    expect(texts(b)).not.toEqual(texts(a));
    b.loadState(a.dumpState());
    expect(texts(b)).toEqual(texts(a));
  });
  notApplicable('test_lm_field_after_dump_and_load_state', 'LM objects are never saved by tsdspy');
  for (const name of [
    'test_load_ignores_serialized_endpoint_override_by_default',
    'test_load_allows_serialized_endpoint_override_with_opt_in',
    'test_load_state_ignores_serialized_endpoint_override_by_default',
    'test_load_state_allows_serialized_endpoint_override_with_opt_in',
    'test_load_state_ignores_serialized_model_list_endpoint_override_by_default',
    'test_load_prevents_serialized_endpoint_override_reaching_litellm',
    'test_load_blocks_serialized_model_list_unless_opted_in',
    'test_load_uses_env_api_key_without_honoring_serialized_endpoint_override',
  ]) {
    notApplicable(name, 'LM endpoints in saved state; tsdspy never saves or loads LM settings');
  }
  dspy('test_forward_method', async () => {
    const out = await withSettings({ lm: lmFor({ answer: 'No more responses' }) }, () =>
      new Predict('question -> answer').call({ question: 'What is 1+1?' }),
    );
    expect(out.answer).toBe('No more responses');
  });
  dspy('test_forward_method2', async () => {
    const out = await withSettings({ lm: lmFor({ answer: 'my first answer', answer2: 'my second answer' }) }, () =>
      new Predict('question -> answer, answer2').call({ question: 'What is 1+1?' }),
    );
    expect(out.answer).toBe('my first answer');
    expect(out.answer2).toBe('my second answer');
  });
  dspy('test_config_management', () => {
    const p = new Predict('input -> output', { config: { temperature: 0.3 } });
    p.config = { ...p.config, maxTokens: 10 };
    expect(p.config).toEqual({ temperature: 0.3, maxTokens: 10 });
  });
  dspy('test_multi_output', async () => {
    const lm = new ScriptedLM([[chatReply({ answer: 'my first answer' }), chatReply({ answer: 'my second answer' })]]);
    const out = await withSettings({ lm }, () =>
      new Predict('question -> answer', { config: { n: 2 } }).call({ question: 'What is 1+1?' }),
    );
    expect(out.completions.answer[0]).toBe('my first answer');
    expect(out.completions.answer[1]).toBe('my second answer');
  });
  dspy('test_multi_output2', async () => {
    const lm = new ScriptedLM([[chatReply({ answer: 'a1', answer2: 'b1' }), chatReply({ answer: 'a2', answer2: 'b2' })]]);
    const out = await withSettings({ lm }, () =>
      new Predict('question -> answer, answer2', { config: { n: 2 } }).call({ question: 'q' }),
    );
    expect(out.completions.map((c) => c.answer2)).toEqual(['b1', 'b2']);
  });
  notApplicable('test_datetime_inputs_and_outputs', 'Python datetime coercion through pydantic; use z.iso.datetime() strings');
  deliberate('test_explicitly_valued_enum_inputs_and_outputs', 'D1', async () => {
    const status = z.enum(['pending', 'in_progress']);
    const sig = signature({ inputs: { current_status: status }, outputs: { next_status: status } });
    const out = await withSettings({ lm: lmFor({ next_status: 'in_progress' }) }, () =>
      new Predict(sig).call({ current_status: 'pending' }),
    );
    expect(out.next_status).toBe('in_progress');
  });
  notApplicable(
    'test_enum_inputs_and_outputs_with_shared_names_and_values',
    'Python Enum member names vs values; zod enums have values only',
  );
  notApplicable('test_auto_valued_enum_inputs_and_outputs', 'Python enum.auto() member names');
  dspy('test_named_predictors', () => {
    class MyModule extends Module<object, unknown> {
      inner = new Predict('question -> answer');
      async forward() {
        return undefined;
      }
    }
    const program = new MyModule();
    expect(program.namedPredictors()).toEqual([['inner', program.inner]]);
    const copy = program.clone();
    expect(copy.namedPredictors()).toEqual([['inner', copy.inner]]);
  });
  deliberate('test_output_only', 'D10', async () => {
    const sig = signature({ inputs: { topic: z.string().optional() }, outputs: { output: z.string() } });
    const out = await withSettings({ lm: lmFor({ output: 'short answer' }) }, () => new Predict(sig).call({}));
    expect(out.output).toBe('short answer');
  });
  dspy('test_load_state_chaining', () => {
    const a = new Predict('question -> answer');
    a.demos = [{ question: 'test', answer: 'response' }];
    const b = new Predict('question -> answer').loadState(a.dumpState());
    expect(b.demos).toEqual(a.demos);
  });
  notApplicable('test_call_predict_with_chat_history', 'needs dspy.History (stream #16) and a real LM');
  deliberate('test_lm_usage', 'D11', async () => {
    const lm = new ScriptedLM([
      { completions: [{ text: chatReply({ answer: 'Paris' }) }], usage: { inputTokens: 6, outputTokens: 4 } },
    ]);
    const out = await withSettings({ lm }, () => new Predict('question -> answer').call({ question: 'q' }));
    expect(out.answer).toBe('Paris');
    expect(out.usage).toEqual({ inputTokens: 6, outputTokens: 4 });
  });
  notApplicable('test_lm_usage_with_parallel', 'dspy.Parallel thread pools with litellm patching');
  notApplicable('test_lm_usage_with_async', 'async twin; tsdspy is async only');
  deliberate('test_positional_arguments', 'D10', async () => {
    await expect(
      withSettings({ lm: lmFor({ answer: 'x' }) }, () => new Predict('question -> answer').call('What?' as never)),
    ).rejects.toThrow(InputValidationError);
  });
  dspy('test_error_message_on_invalid_lm_setup', async () => {
    await expect(new Predict('question -> answer').call({ question: 'Why?' })).rejects.toThrow(LMNotConfiguredError);
  });
  dspy('test_field_constraints', async () => {
    const sig = signature({
      instructions: 'Test signature with constrained fields.',
      inputs: {
        text: z.string().min(5).max(100).describe('Input text'),
        number: z.int().gt(0).lt(10).describe('A number between 0 and 10'),
      },
      outputs: {
        score: z.number().gte(0).lte(1).describe('Score between 0 and 1'),
        count: z.int().multipleOf(2).describe('Even number count'),
      },
    });
    for (const adapter of [new ChatAdapter(), new JSONAdapter()]) {
      const lm = new ScriptedLM([
        adapter instanceof JSONAdapter ? "{'score':'0.5', 'count':'2'}" : '[[ ## score ## ]]\n0.5\n[[ ## count ## ]]\n2',
      ]);
      await withSettings({ lm, adapter }, () => new Predict(sig).call({ text: 'hello world', number: 5 }));
      const system = lm.requests[0]?.messages[0]?.content ?? '';
      for (const phrase of [
        'minimum length: 5',
        'maximum length: 100',
        'greater than: 0',
        'less than: 10',
        'greater than or equal to: 0',
        'less than or equal to: 1',
        'a multiple of the given number: 2',
      ]) {
        expect(system).toContain(phrase);
      }
    }
  });
  notApplicable('test_async_predict', 'async twin; tsdspy is async only');
  notApplicable('test_predicted_outputs_piped_from_predict_to_lm_call', 'OpenAI predicted-outputs kwarg passthrough via litellm');
  notApplicable('test_dump_state_pydantic_non_primitive_types', 'pydantic model instances in demos');
  for (const name of [
    'test_trace_size_limit',
    'test_disable_trace',
    'test_per_module_history_size_limit',
    'test_per_module_history_disabled',
  ]) {
    notApplicable(name, 'global trace/history buffers; tsdspy traces are scoped with captureTrace');
  }
  dspy('test_input_field_default_value', async () => {
    const sig = signature({
      inputs: { context: z.string().default('DEFAULT_CONTEXT'), question: z.string() },
      outputs: { answer: z.string() },
    });
    const lm = lmFor({ answer: 'test' });
    await withSettings({ lm }, () => new Predict(sig).call({ question: 'test' }));
    expect(lm.requests[0]?.messages.at(-1)?.content).toContain('DEFAULT_CONTEXT');
  });
  deliberate('test_extra_fields_warning', 'D10', async () => {
    const out = await withSettings({ lm: lmFor({ answer: 'x' }) }, () =>
      new Predict('question -> answer').call({ question: 'test', extra_field: 'should warn' } as never),
    );
    expect(out.answer).toBe('x');
  });
  dspy('test_missing_optional_input_field_no_warning', async () => {
    const sig = signature({ inputs: { question: z.string(), context: z.string().optional() }, outputs: { answer: z.string() } });
    const out = await withSettings({ lm: lmFor({ answer: 'x' }) }, () => new Predict(sig).call({ question: 'q' }));
    expect(out.answer).toBe('x');
  });
  deliberate('test_missing_required_input_field_still_warns', 'D2', async () => {
    await expect(
      withSettings({ lm: lmFor({ answer: 'x' }) }, () =>
        new Predict('question, context -> answer').call({ question: 'q' } as never),
      ),
    ).rejects.toThrow(InputValidationError);
  });
  awaiting('stream #16', 'test_warning_images', async () => {
    expect(Object.keys(await import('tsdspy'))).toContain('Image');
  });
  deliberate('test_type_mismatch_warning', 'D2', async () => {
    await expect(
      withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict('count: int -> result').call({ count: 'abc' } as never)),
    ).rejects.toThrow(InputValidationError);
  });
  dspy('test_correct_types_no_warning', async () => {
    const out = await withSettings({ lm: lmFor({ result: 'x' }) }, () =>
      new Predict('count: int, name: str -> result').call({ count: 42, name: 'test' }),
    );
    expect(out.result).toBe('x');
  });
  deliberate('test_list_type_validation', 'D2', async () => {
    const p = new Predict('items: string[] -> result');
    await withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ items: ['a', 'b'] }));
    await expect(withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ items: [1, 2] as never }))).rejects.toThrow(
      InputValidationError,
    );
  });
  deliberate('test_literal_type_validation', 'D2', async () => {
    const p = new Predict("mode: 'a' | 'b' -> result");
    await withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ mode: 'a' }));
    await expect(withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ mode: 'c' as never }))).rejects.toThrow(
      InputValidationError,
    );
  });
  deliberate('test_literal_union_type_validation', 'D2', async () => {
    const sig = signature({ inputs: { v: z.union([z.literal('a'), z.literal(1)]) }, outputs: { result: z.string() } });
    await expect(withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict(sig).call({ v: 'z' as never }))).rejects.toThrow(
      InputValidationError,
    );
  });
  deliberate('test_list_string', 'D2', async () => {
    const sig = signature({ inputs: { nameList: z.array(z.string()) }, outputs: { result: z.string() } });
    await withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict(sig).call({ nameList: ['Alice', 'Bob', 'Charlie'] }));
    await expect(
      withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict(sig).call({ nameList: [1, 2, 3, null] as never })),
    ).rejects.toThrow(InputValidationError);
  });
  for (const name of [
    'test_nested_list_type_validation',
    'test_nested_dict_type_validation',
    'test_nested_tuple_type_validation',
  ]) {
    deliberate(name, 'D2', async () => {
      const sig = signature({ inputs: { data: z.array(z.array(z.int())) }, outputs: { result: z.string() } });
      await withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict(sig).call({ data: [[1], [2]] }));
      await expect(
        withSettings({ lm: lmFor({ result: 'x' }) }, () => new Predict(sig).call({ data: [['a']] as never })),
      ).rejects.toThrow(InputValidationError);
    });
  }
  awaiting('trust #12', 'test_literal_type_validation_string_signature', async () => {
    const p = new Predict("mode: Literal['a', 'b'] -> result" as string);
    await withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ mode: 'a' }));
  });
  awaiting('trust #12', 'test_list_type_validation_string_signature', async () => {
    await withSettings({ lm: lmFor({ result: 'x' }) }, () =>
      new Predict('items: list[str] -> result' as string).call({ items: ['a'] }),
    );
  });
  awaiting('trust #12', 'test_dict_type_validation_string_signature', async () => {
    await withSettings({ lm: lmFor({ result: 'x' }) }, () =>
      new Predict('data: dict[str, int] -> result' as string).call({ data: { a: 1 } }),
    );
  });
  awaiting('trust #12', 'test_tuple_type_validation_string_signature', async () => {
    await withSettings({ lm: lmFor({ result: 'x' }) }, () =>
      new Predict('data: tuple[str, int] -> result' as string).call({ data: ['a', 1] }),
    );
  });
  awaiting('trust #12', 'test_union_type_validation_string_signature', async () => {
    await withSettings({ lm: lmFor({ result: 'x' }) }, () =>
      new Predict('data: Union[int, str] -> result' as string).call({ data: 1 }),
    );
  });
  deliberate('test_basic_types_string_signature', 'D2', async () => {
    const p = new Predict('count: int, name: str -> result');
    await withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ count: 42, name: 'test' }));
    await expect(
      withSettings({ lm: lmFor({ result: 'x' }) }, () => p.call({ count: 'not an int' as never, name: 'test' })),
    ).rejects.toThrow(InputValidationError);
  });
  dspy('test_untyped_string_signature', async () => {
    const lm = lmFor({ result: 'test output' });
    const out = await withSettings({ lm }, () => new Predict('count, name -> result').call({ count: 'abc', name: 123 } as never));
    expect(out.result).toBe('test output');
    expect(lm.requests[0]?.messages.at(-1)?.content).toContain('[[ ## name ## ]]\n123');
  });
  dspy('test_untyped_class_signature', async () => {
    const sig = signature({ inputs: { count: z.unknown(), name: z.unknown() }, outputs: { result: z.string() } });
    const out = await withSettings({ lm: lmFor({ result: 'ok' }) }, () => new Predict(sig).call({ count: 'abc', name: 123 }));
    expect(out.result).toBe('ok');
  });
  dspy('test_string_to_list_signature', async () => {
    const lm = lmFor({ result: 'test output' });
    await withSettings({ lm }, () =>
      new Predict('name, count -> result').call({ name: ['abc', 'def', 'geh'], count: 123 } as never),
    );
    expect(lm.requests[0]?.messages.at(-1)?.content).toContain('[[ ## name ## ]]\n[1] «abc»\n[2] «def»\n[3] «geh»');
  });
  notApplicable('test_custom_signature_types', 'custom Python classes resolved in signature strings');
});

describe('test_chain_of_thought.py', () => {
  const { dspy, notProvided, notApplicable } = conformance('tests/predict/test_chain_of_thought.py');
  dspy('test_initialization_with_string_signature', async () => {
    const lm = new ScriptedLM([chatReply({ reasoning: 'find the number after 1', answer: '2' })]);
    const predict = new ChainOfThought('question -> answer');
    expect(predict.predict.signature.outputFields.map((f) => f.name)).toEqual(['reasoning', 'answer']);
    const out = await withSettings({ lm }, () => predict.call({ question: 'What is 1+1?' }));
    expect(out.answer).toBe('2');
  });
  notApplicable('test_async_chain_of_thought', 'async twin; tsdspy is async only');
  notProvided('test_chain_of_thought_with_native_reasoning', 'D4');
  dspy('test_chain_of_thought_with_manual_reasoning', async () => {
    const lm = new ScriptedLM([chatReply({ reasoning: 'manual reasoning', answer: 'Paris' })]);
    const out = await withSettings({ lm }, () => new ChainOfThought('question -> answer').call({ question: 'q' }));
    expect(out.reasoning).toBe('manual reasoning');
    expect(lm.requests[0]?.messages[0]?.content).toContain('[[ ## reasoning ## ]]');
  });
});
