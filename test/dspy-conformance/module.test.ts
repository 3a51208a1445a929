// Translated from stanfordnlp/dspy tests/primitives/test_module.py and test_base_module.py (own code).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ChainOfThought,
  chatReply,
  Example,
  Module,
  Predict,
  type Prediction,
  ReAct,
  ScriptedLM,
  StateMismatchError,
  withSettings,
} from 'tsdspy';
import { describe, expect } from 'vitest';
import { conformance } from './conformance.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

class HopModule extends Module<{ question: string }, Prediction> {
  predict1 = new Predict('question -> query');
  predict2 = new Predict('query -> answer');
  async forward({ question }: { question: string }): Promise<Prediction> {
    const { query } = await this.predict1.call({ question });
    return (await this.predict2.call({ query })) as unknown as Prediction;
  }
}

describe('test_module.py', () => {
  const { dspy, notApplicable } = conformance('tests/primitives/test_module.py');

  dspy('test_module_initialization', () => {
    const m = new HopModule();
    expect(m.predict1.signature.shape).toBe('question -> query');
    expect(m.predict2.signature.shape).toBe('query -> answer');
  });
  dspy('test_named_predictors', () => {
    const m = new HopModule();
    expect(m.namedPredictors().map(([n]) => n)).toEqual(['predict1', 'predict2']);
  });
  dspy('test_predictors', () => {
    const m = new HopModule();
    expect(m.predictors()).toEqual([m.predict1, m.predict2]);
  });
  dspy('test_forward', async () => {
    const lm = new ScriptedLM([chatReply({ query: 'test query' }), chatReply({ answer: 'test answer' })]);
    const result = await withSettings({ lm }, () => new HopModule().call({ question: 'What is 1+1?' }));
    expect(result.answer).toBe('test answer');
  });
  dspy('test_nested_named_predictors', () => {
    class Nested extends Module<{ question: string }, unknown> {
      hop = new HopModule();
      predict = new Predict('question -> answer');
      async forward() {
        return undefined;
      }
    }
    expect(new Nested().namedPredictors().map(([n]) => n)).toEqual(['hop.predict1', 'hop.predict2', 'predict']);
  });
  dspy('test_empty_module', () => {
    class Empty extends Module<object, unknown> {
      async forward() {
        return undefined;
      }
    }
    expect(new Empty().namedSubmodules().map(([n]) => n)).toEqual(['self']);
  });
  dspy('test_single_level', () => {
    class One extends Module<object, unknown> {
      sub = new HopModule();
      async forward() {
        return undefined;
      }
    }
    const names = new One().namedSubmodules().map(([n]) => n);
    expect(names).toEqual(['self', 'sub', 'sub.predict1', 'sub.predict2']);
  });
  dspy('test_multiple_levels', () => {
    class Two extends Module<object, unknown> {
      sub = { inner: new HopModule() };
      async forward() {
        return undefined;
      }
    }
    expect(new Two().namedSubmodules().map(([n]) => n)).toContain('sub.inner.predict1');
  });
  dspy('test_multiple_sub_modules', () => {
    class Many extends Module<object, unknown> {
      a = new HopModule();
      b = new HopModule();
      async forward() {
        return undefined;
      }
    }
    expect(new Many().namedPredictors().map(([n]) => n)).toEqual(['a.predict1', 'a.predict2', 'b.predict1', 'b.predict2']);
  });
  dspy('test_non_base_module_attributes', () => {
    class Mixed extends Module<object, unknown> {
      a = new HopModule();
      note = 'not a module';
      async forward() {
        return undefined;
      }
    }
    expect(new Mixed().namedSubmodules().map(([n]) => n)).not.toContain('note');
  });
  dspy('test_complex_module_traversal', () => {
    class Complex extends Module<object, unknown> {
      list = [new Predict('a -> b'), { key: new Predict('c -> d') }];
      async forward() {
        return undefined;
      }
    }
    expect(new Complex().namedPredictors().map(([n]) => n)).toEqual(['list.0', 'list.1.key']);
  });
  dspy('test_complex_module_traversal_with_same_module', () => {
    const same = new Predict('a -> b');
    class Twice extends Module<object, unknown> {
      list = [same, same];
      async forward() {
        return undefined;
      }
    }
    expect(new Twice().namedPredictors().map(([n]) => n)).toEqual(['list.0']);
  });
  notApplicable(
    'test_complex_module_set_attribute_by_name',
    'a Python helper that sets attributes by a path with [index] syntax',
  );
  dspy('test_named_parameters_duplicate_references', () => {
    class Duplicate extends Module<object, unknown> {
      p0 = new Predict('question -> answer');
      p1 = this.p0;
      async forward() {
        return undefined;
      }
    }
    expect(Object.keys(new Duplicate().namedParameters())).toEqual(['p0']);
  });

  dspy('test_load_dspy_program_cross_version', async () => {
    const react = new ReAct('question -> answer', { tools: [] });
    await react.load(fixture('dspy_saved_react.json'));
    expect(react.react.instructions).toContain('You are a fact checker working against a deadline');
    expect(react.extract.instructions).toContain('Given the very verbose fields `question` and `trajectory`');
    expect(react.react.demos).toHaveLength(2);
    expect(react.extract.demos).toHaveLength(2);
  });

  dspy('test_load_state_is_transactional', async () => {
    class Prog extends Module<object, unknown> {
      a = new ChainOfThought('question -> answer');
      b = new ChainOfThought('question -> answer');
      async forward() {
        return undefined;
      }
    }
    const source = new Prog();
    const sentinel = new Example({ question: 'q1', answer: 'a1' }).withInputs('question');
    source.a.predict.demos = [sentinel.toJSON()];
    source.b.predict.demos = [sentinel.toJSON()];
    const state = source.dumpState();
    // Corrupt the second predictor only: its saved signature no longer fits.
    const corrupted = JSON.parse(JSON.stringify(state));
    corrupted.predictors['b.predict'].signature.outputs.at(-1).name = 'result';
    const template = new Prog();
    expect(() => template.loadState(corrupted)).toThrow(StateMismatchError);
    expect(template.a.predict.demos).toEqual([]);
    // And by file: `load` is all-or-nothing too.
    const dir = mkdtempSync(join(tmpdir(), 'tsdspy-conf-'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(corrupted));
    await expect(template.load(join(dir, 'state.json'))).rejects.toThrow(StateMismatchError);
    expect(template.a.predict.demos).toEqual([]);
  });
});

describe('test_base_module.py', () => {
  const { dspy, deliberate, notApplicable } = conformance('tests/primitives/test_base_module.py');

  dspy('test_deepcopy_basic', () => {
    const m = new HopModule();
    m.predict1.demos = [{ question: 'q', query: 'x' }];
    const copy = m.clone();
    expect(copy).not.toBe(m);
    expect(copy.predict1).not.toBe(m.predict1);
    expect(copy.predict1.demos).toEqual(m.predict1.demos);
    expect(copy.predict1.demos).not.toBe(m.predict1.demos);
  });
  notApplicable('test_deepcopy_with_uncopyable_modules', 'Python deepcopy of objects that refuse __deepcopy__');
  dspy('test_deepcopy_with_nested_modules', () => {
    class Outer extends Module<object, unknown> {
      inner = new HopModule();
      async forward() {
        return undefined;
      }
    }
    const o = new Outer();
    const copy = o.clone();
    expect(copy.inner).not.toBe(o.inner);
    expect(copy.inner.predict1).not.toBe(o.inner.predict1);
  });
  dspy('test_save_and_load_with_json', async () => {
    const m = new HopModule();
    m.predict1.instructions = 'You are a helpful assistant.';
    m.predict2.demos = [{ query: 'q', answer: 'a' }];
    const dir = mkdtempSync(join(tmpdir(), 'tsdspy-conf-'));
    await m.save(join(dir, 'model.json'));
    const loaded = await new HopModule().load(join(dir, 'model.json'));
    expect(loaded.predict1.instructions).toBe('You are a helpful assistant.');
    expect(loaded.predict2.demos).toEqual([{ query: 'q', answer: 'a' }]);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).format).toBe('tsdspy.program');
  });
  notApplicable('test_save_and_load_with_pkl', 'pickle files');
  notApplicable('test_save_with_extra_modules', 'cloudpickle of whole programs with modules_to_serialize');
  deliberate('test_load_with_version_mismatch', 'D8', async () => {
    const p = new Predict('question -> answer');
    const state = p.dumpState();
    expect(state.metadata.savedAt).toBeDefined();
    expect(() => new Predict('question -> answer').loadState({ ...state, version: 99 })).toThrow(/version|v1/);
  });
  dspy('test_single_module_call_with_usage_tracker', async () => {
    const lm = new ScriptedLM([chatReply({ reasoning: 'r', answer: 'Paris' })]);
    const out = await withSettings({ lm }, () => new ChainOfThought('question -> answer').call({ question: 'q' }));
    expect(out.usage?.inputTokens).toBeGreaterThan(0);
    expect(out.usage?.outputTokens).toBeGreaterThan(0);
  });
  notApplicable('test_multi_module_call_with_usage_tracker', 'needs a real LM (pytest.mark.llm_call)');
  notApplicable('test_usage_tracker_in_parallel', 'needs a real LM and OPENAI_API_KEY');
  notApplicable('test_usage_tracker_async_parallel', 'needs a real LM and OPENAI_API_KEY');
  notApplicable('test_usage_tracker_no_side_effect', 'needs a real LM (pytest.mark.llm_call)');
  notApplicable('test_module_history', 'per-module LM history (module.history); tsdspy records traces with captureTrace');
  notApplicable('test_module_history_with_concurrency', 'per-module LM history; tsdspy records traces with captureTrace');
  notApplicable('test_module_history_async', 'per-module LM history; tsdspy records traces with captureTrace');
  notApplicable('test_forward_direct_call_warning', 'Python __call__ vs forward() warning; in tsdspy both are plain methods');
  notApplicable('test_forward_through_call_no_warning', 'Python __call__ vs forward() warning; in tsdspy both are plain methods');
});
