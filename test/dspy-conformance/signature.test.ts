// Translated from stanfordnlp/dspy tests/signatures/test_signature.py and test_custom_types.py (own code).

import type { Signature } from 'tsdspy';
import { chatReply, defaultPrefix, Predict, ScriptedLM, SignatureError, signature, valueKind, withSettings, z } from 'tsdspy';
import { describe, expect } from 'vitest';
import { conformance } from './conformance.js';

const accepts = (sig: Signature<object, object>, name: string, value: unknown) =>
  sig.field(name)?.schema.safeParse(value).success;

describe('test_signature.py', () => {
  const { dspy, deliberate, notApplicable, awaiting } = conformance('tests/signatures/test_signature.py');

  dspy('test_field_types_and_custom_attributes', () => {
    const sig = signature({
      instructions: 'Instructions',
      inputs: { input1: z.string(), input2: z.int() },
      outputs: { output1: z.array(z.string()), output2: z.string() },
    });
    expect(sig.instructions).toBe('Instructions');
    expect(valueKind(sig.field('input1')!.schema)).toBe('string');
    expect(valueKind(sig.field('input2')!.schema)).toBe('int');
    expect(valueKind(sig.field('output1')!.schema)).toBe('array');
    expect(valueKind(sig.field('output2')!.schema)).toBe('string');
  });

  dspy('test_no_input_output', () => {
    expect(() => signature({ inputs: { input1: z.string() }, outputs: {} })).toThrow(SignatureError);
  });
  dspy('test_no_input_output2', () => {
    expect(() => signature({ inputs: {}, outputs: { output: z.string() } })).toThrow(SignatureError);
  });

  dspy('test_all_fields_have_prefix', () => {
    const sig = signature('input -> output').withUpdatedField('input', { prefix: 'Modified:' });
    expect(sig.field('input')?.prefix).toBe('Modified:');
    expect(sig.field('output')?.prefix).toBe('Output:');
  });

  dspy('test_signature_parsing', () => {
    const sig = signature('input1, input2 -> output');
    expect(sig.inputFields.map((f) => f.name)).toEqual(['input1', 'input2']);
    expect(sig.outputFields.map((f) => f.name)).toEqual(['output']);
  });

  dspy('test_duplicate_input_output_field_names_raise', () => {
    expect(() => signature('value -> value')).toThrow(SignatureError);
  });

  dspy('test_with_signature', () => {
    const s1 = signature('input1, input2 -> output');
    const s2 = s1.withInstructions('This is a test');
    expect(s2.instructions).toBe('This is a test');
    expect(s1).not.toBe(s2);
  });

  dspy('test_append_instructions', () => {
    const sig = signature('input_text -> output_text', 'Translate to French.');
    const next = sig.appendInstructions('Use a formal register.');
    expect(next.instructions).toBe('Translate to French.\n\nUse a formal register.');
    expect(sig.instructions).toBe('Translate to French.');
    expect(next.inputFields.map((f) => f.name)).toEqual(['input_text']);
    expect(next.outputFields.map((f) => f.name)).toEqual(['output_text']);
  });

  dspy('test_append_instructions_chains', () => {
    const sig = signature('input1 -> output1', 'Base instructions.');
    expect(sig.appendInstructions('Step one.').appendInstructions('Step two.').instructions).toBe(
      'Base instructions.\n\nStep one.\n\nStep two.',
    );
  });

  dspy('test_append_instructions_preserves_default_instructions', () => {
    const sig = signature('input1 -> output1');
    expect(sig.appendInstructions('Extra detail.').instructions).toBe(`${sig.instructions}\n\nExtra detail.`);
  });

  dspy('test_with_updated_field', () => {
    const s1 = signature('input1, input2 -> output');
    const s2 = s1.withUpdatedField('input1', { prefix: 'Modified:' });
    expect(s2.field('input1')?.prefix).toBe('Modified:');
    expect(s1.field('input1')?.prefix).toBe('Input 1:');
    expect(s2.field('input2')).toEqual(s1.field('input2'));
    expect(s1.instructions).toBe(s2.instructions);
  });

  dspy('test_empty_signature', () => {
    expect(() => signature('' as string)).toThrow(SignatureError);
  });
  dspy('test_instructions_signature', () => {
    expect(() => signature('' as string)).toThrow(SignatureError);
  });

  dspy('test_signature_instructions', () => {
    expect(signature('input1 -> output1', 'This is a test').instructions).toBe('This is a test');
  });

  dspy('test_signature_instructions_none', () => {
    expect(signature('a, b -> c').instructions).toBe('Given the fields `a`, `b`, produce the fields `c`.');
  });

  dspy('test_signature_from_dict', () => {
    const sig = signature({ inputs: { input1: z.string(), input2: z.string() }, outputs: { output: z.string() } });
    for (const k of ['input1', 'input2', 'output']) expect(valueKind(sig.field(k)!.schema)).toBe('string');
  });

  dspy('test_signature_equality', () => {
    expect(signature('input1 -> output1').equals(signature('input1 -> output1'))).toBe(true);
  });
  dspy('test_signature_inequality', () => {
    expect(signature('input1 -> output1').equals(signature('input2 -> output2'))).toBe(false);
  });
  notApplicable('test_equality_format', 'the Python `format=` callable on a field; tsdspy fields have no format hook');

  dspy('test_signature_reverse', () => {
    expect(signature('input1 -> output1').shape).toBe('input1 -> output1');
  });

  dspy('test_insert_field_at_various_positions', () => {
    const s = signature({ inputs: { input1: z.string() }, outputs: { output1: z.int() } });
    expect(s.prependInput('new_input_start', z.string()).inputFields[0]?.name).toBe('new_input_start');
    expect(s.appendInput('new_input_end', z.string()).inputFields.at(-1)?.name).toBe('new_input_end');
    expect(s.prependOutput('new_output_start', z.string()).outputFields[0]?.name).toBe('new_output_start');
    expect(s.appendOutput('new_output_end', z.string()).outputFields.at(-1)?.name).toBe('new_output_end');
  });

  dspy('test_order_preserved_with_mixed_annotations', () => {
    const sig = signature({ inputs: { text: z.string() }, outputs: { output: z.string(), pass_evaluation: z.boolean() } });
    expect(sig.fields.map((f) => f.name)).toEqual(['text', 'output', 'pass_evaluation']);
  });

  dspy('test_infer_prefix', () => {
    const bare = (name: string) => defaultPrefix(name).replace(/:$/, '');
    expect(bare('someAttributeName42IsCool')).toBe('Some Attribute Name 42 Is Cool');
    expect(bare('version2Update')).toBe('Version 2 Update');
    expect(bare('modelT45Enhanced')).toBe('Model T 45 Enhanced');
    expect(bare('someAttributeName')).toBe('Some Attribute Name');
    expect(bare('some_attribute_name')).toBe('Some Attribute Name');
    expect(bare('URLAddress')).toBe('URL Address');
    expect(bare('isHTTPSecure')).toBe('Is HTTP Secure');
    expect(bare('isHTTPSSecure123')).toBe('Is HTTPS Secure 123');
  });

  notApplicable(
    'test_insantiating',
    'a DSPy signature is a pydantic class that can be instantiated; tsdspy signatures are values',
  );
  notApplicable(
    'test_insantiating2',
    'a DSPy signature is a pydantic class that can be instantiated; tsdspy signatures are values',
  );

  dspy('test_multiline_instructions', async () => {
    const lm = new ScriptedLM([chatReply({ output: 'short answer' })]);
    const sig = signature({
      instructions: 'First line\n    Second line\n        Third line',
      inputs: { q: z.string().optional() },
      outputs: { output: z.string() },
    });
    const pred = await withSettings({ lm }, () => new Predict(sig).call({}));
    expect(pred.output).toBe('short answer');
  });

  dspy('test_dump_and_load_state', () => {
    const original = new Predict(
      signature({
        instructions: 'I am just an instruction.',
        inputs: { sentence: z.string().describe('I am an innocent input!') },
        outputs: { sentiment: z.string() },
      }),
    );
    const target = new Predict(
      signature({
        instructions: 'I am a malicious instruction.',
        inputs: { sentence: z.string().describe('I am an malicious input!') },
        outputs: { sentiment: z.string() },
      }),
    );
    const targetSignature = target.signature;
    target.loadState(original.dumpState());
    expect(target.signature.instructions).toBe('I am just an instruction.');
    expect(target.signature.field('sentence')?.description).toBe('I am an innocent input!');
    expect(targetSignature.instructions).toBe('I am a malicious instruction.');
    expect(targetSignature.field('sentence')?.description).toBe('I am an malicious input!');
  });

  dspy('test_typed_signatures_basic_types', () => {
    const sig = signature('input1: int, input2: str -> output: float');
    expect(valueKind(sig.field('input1')!.schema)).toBe('int');
    expect(valueKind(sig.field('input2')!.schema)).toBe('string');
    expect(valueKind(sig.field('output')!.schema)).toBe('number');
  });

  awaiting('trust #12', 'test_typed_signatures_generics', () => {
    const sig = signature('input_list: list[int], input_dict: dict[str, float] -> output_tuple: tuple[str, int]' as string);
    expect(accepts(sig, 'input_list', [1, 2])).toBe(true);
    expect(accepts(sig, 'input_list', ['a'])).toBe(false);
    expect(accepts(sig, 'input_dict', { a: 1.5 })).toBe(true);
    expect(accepts(sig, 'output_tuple', ['a', 1])).toBe(true);
  });

  awaiting('trust #12', 'test_typed_signatures_unions_and_optionals', () => {
    const sig = signature('input_opt: Optional[str], input_union: Union[int, None] -> output_union: Union[int, str]' as string);
    expect(accepts(sig, 'input_opt', null)).toBe(true);
    expect(accepts(sig, 'input_opt', 'x')).toBe(true);
    expect(accepts(sig, 'input_union', 3)).toBe(true);
    expect(accepts(sig, 'output_union', 'a')).toBe(true);
    expect(accepts(sig, 'output_union', 2)).toBe(true);
  });

  awaiting('trust #12', 'test_typed_signatures_any', () => {
    const sig = signature('input_any: Any -> output_any: Any' as string);
    expect(accepts(sig, 'input_any', { x: [1] })).toBe(true);
  });

  awaiting('trust #12', 'test_typed_signatures_nested', () => {
    const sig = signature(
      'input_nested: list[Union[str, int]] -> output_nested: Tuple[int, Optional[float], list[str]]' as string,
    );
    expect(accepts(sig, 'input_nested', ['a', 1])).toBe(true);
    expect(accepts(sig, 'output_nested', [1, null, ['x']])).toBe(true);
  });

  dspy('test_typed_signatures_from_dict', () => {
    const sig = signature({
      inputs: { input_str_list: z.array(z.string()), input_dict_int: z.record(z.string(), z.int()) },
      outputs: { output_tup: z.tuple([z.int(), z.number()]) },
    });
    expect(accepts(sig, 'input_str_list', ['a'])).toBe(true);
    expect(accepts(sig, 'input_dict_int', { a: 1 })).toBe(true);
    expect(accepts(sig, 'output_tup', [1, 2.5])).toBe(true);
  });

  awaiting('trust #12', 'test_typed_signatures_complex_combinations', () => {
    const sig = signature(
      'input_complex: dict[str, list[Optional[Tuple[int, str]]]] -> output_complex: Union[list[str], dict[str, Any]]' as string,
    );
    expect(accepts(sig, 'input_complex', { a: [[1, 'x'], null] })).toBe(true);
    expect(accepts(sig, 'output_complex', ['a'])).toBe(true);
    expect(accepts(sig, 'output_complex', { k: 1 })).toBe(true);
  });

  awaiting('trust #12', 'test_make_signature_from_string', () => {
    const sig = signature('input1: int, input2: dict[str, int] -> output1: list[str], output2: Union[int, str]' as string);
    expect(accepts(sig, 'input2', { a: 1 })).toBe(true);
    expect(accepts(sig, 'output1', ['a'])).toBe(true);
  });

  dspy('test_signature_field_with_constraints', async () => {
    const sig = signature({
      inputs: { inputs: z.string() },
      outputs: { outputs1: z.string().min(5).max(10), outputs2: z.int().gte(5).lte(10) },
    });
    const lm = new ScriptedLM([chatReply({ outputs1: 'hello', outputs2: 7 })]);
    await withSettings({ lm }, () => new Predict(sig).call({ inputs: 'x' }));
    const system = lm.requests[0]?.messages[0]?.content ?? '';
    expect(system).toContain('minimum length: 5');
    expect(system).toContain('maximum length: 10');
    expect(system).toContain('greater than or equal to: 5');
    expect(system).toContain('less than or equal to: 10');
  });

  notApplicable(
    'test_basic_custom_type',
    'custom_types= resolves Python class names in a signature string; tsdspy takes zod schemas',
  );
  notApplicable('test_custom_type_from_different_module', 'resolves pathlib.Path from the caller frame; Python only');

  awaiting('trust #12', 'test_pep604_union_type_inline', () => {
    const sig = signature('input1: str | None, input2: None | int -> output_union: int | str' as string);
    expect(accepts(sig, 'input1', null)).toBe(true);
    expect(accepts(sig, 'input2', 2)).toBe(true);
    expect(accepts(sig, 'output_union', 'a')).toBe(true);
  });
  awaiting('trust #12', 'test_pep604_union_type_inline_equivalence', () => {
    expect(
      signature('input: str | None -> output: int | str' as string).equals(
        signature('input: Optional[str] -> output: Union[int, str]' as string),
      ),
    ).toBe(true);
  });
  awaiting('trust #12', 'test_pep604_union_type_inline_nested', () => {
    const sig = signature('input: str | (int | float) | None -> output: str' as string);
    for (const v of ['a', 1, 1.5, null]) expect(accepts(sig, 'input', v)).toBe(true);
  });
  dspy('test_pep604_union_type_class_nested', () => {
    const sig = signature({
      inputs: { input: z.union([z.string(), z.int(), z.number()]).nullable() },
      outputs: { output: z.string() },
    });
    for (const v of ['a', 1, 1.5, null]) expect(accepts(sig, 'input', v)).toBe(true);
  });
  dspy('test_pep604_union_type_class_equivalence', () => {
    const a = signature({ inputs: { input: z.string().nullable() }, outputs: { output: z.union([z.int(), z.string()]) } });
    const b = signature({ inputs: { input: z.string().nullable() }, outputs: { output: z.union([z.int(), z.string()]) } });
    expect(a.equals(b)).toBe(true);
  });
  dspy('test_pep604_union_type_insert', () => {
    const s = signature({ inputs: { input: z.string().nullable() }, outputs: { output: z.union([z.int(), z.string()]) } });
    const next = s.prependInput('new_input', z.union([z.number(), z.int()]));
    expect(next.inputFields[0]?.name).toBe('new_input');
    expect(accepts(next, 'input', null)).toBe(true);
  });
  notApplicable(
    'test_pep604_union_type_with_custom_types',
    'custom_types= resolves Python class names; tsdspy takes zod schemas',
  );
  notApplicable('test_signature_cloudpickle_roundtrip', 'cloudpickle');
  notApplicable('test_predict_cloudpickle_roundtrip', 'cloudpickle');
  void deliberate;
});

describe('test_custom_types.py', () => {
  const { notApplicable } = conformance('tests/signatures/test_custom_types.py');
  for (const name of [
    'test_basic_custom_type_resolution',
    'test_type_alias_for_nested_types',
    'test_module_level_type_resolution',
    'test_recommended_patterns',
    'test_expected_failure',
    'test_module_type_resolution',
    'test_basic_custom_type_resolution (2)',
    'test_explicit_custom_types_do_not_depend_on_the_caller_frame',
  ]) {
    notApplicable(name, 'resolving Python class names from the caller frame in signature strings; tsdspy takes zod schemas');
  }
});
