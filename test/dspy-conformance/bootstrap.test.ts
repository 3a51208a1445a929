// Translated from stanfordnlp/dspy tests/teleprompt/test_bootstrap.py (own code).
import { BootstrapFewShot, chatReply, Example, Module, Predict, type Prediction, ScriptedLM, withSettings } from 'tsdspy';
import { expect } from 'vitest';
import { conformance } from './conformance.js';

const { dspy, deliberate } = conformance('tests/teleprompt/test_bootstrap.py');

type Row = { input: string; output: string };
const simpleMetric = (example: Record<string, unknown>, prediction: Record<string, unknown>) =>
  example.output === prediction.output;
const trainset = [new Example<Row>({ input: 'What is the color of the sky?', output: 'blue' }).withInputs('input')];

class SimpleModule extends Module<{ input: string }, Prediction> {
  predictor = new Predict('input -> output');
  forward(inputs: { input: string }): Promise<Prediction> {
    return this.predictor.call(inputs) as unknown as Promise<Prediction>;
  }
}

dspy('test_bootstrap_initialization', () => {
  const bootstrap = new BootstrapFewShot({ metric: simpleMetric, maxBootstrappedDemos: 1, maxLabeledDemos: 1 });
  expect(bootstrap.options.metric).toBe(simpleMetric);
});

dspy('test_compile_with_predict_instances', async () => {
  const lm = new ScriptedLM([chatReply({ output: 'Initial thoughts' }), chatReply({ output: 'Finish[blue]' })], { cycle: true });
  const compiled = await withSettings({ lm }, () =>
    new BootstrapFewShot({
      metric: simpleMetric,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 1,
      teacher: new SimpleModule(),
    }).compile(new SimpleModule(), trainset),
  );
  expect(compiled).toBeInstanceOf(SimpleModule);
});

dspy('test_bootstrap_effectiveness', async () => {
  const lm = new ScriptedLM((request) => {
    const text = request.messages.map((m) => m.content).join('\n');
    return chatReply({ output: text.includes('What is the color of the sky?') ? 'blue' : 'Ring-ding-ding-ding-dingeringeding!' });
  });
  const compiled = await withSettings({ lm }, () =>
    new BootstrapFewShot({
      metric: simpleMetric,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 1,
      teacher: new SimpleModule(),
    }).compile(new SimpleModule(), trainset),
  );
  expect(compiled.predictor.demos).toHaveLength(1);
  expect(compiled.predictor.demos[0]?.input).toBe('What is the color of the sky?');
  expect(compiled.predictor.demos[0]?.output).toBe('blue');
  const prediction = await withSettings({ lm }, () => compiled.call({ input: 'What is the color of the sky?' }));
  expect(prediction.output).toBe('blue');
});

deliberate('test_error_handling_during_bootstrap', 'D13', async () => {
  class Buggy extends Module<{ input: string }, Prediction> {
    predictor = new Predict('input -> output');
    forward(): Promise<Prediction> {
      throw new Error('Simulated error');
    }
  }
  const lm = new ScriptedLM([chatReply({ output: 'Initial thoughts' })], { cycle: true });
  await expect(
    withSettings({ lm }, () =>
      new BootstrapFewShot({
        metric: simpleMetric,
        maxBootstrappedDemos: 1,
        maxLabeledDemos: 1,
        maxErrors: 0,
        teacher: new Buggy(),
      }).compile(new SimpleModule(), trainset),
    ),
  ).rejects.toThrow(/Simulated error/);
});

dspy('test_validation_set_usage', async () => {
  const lm = new ScriptedLM([chatReply({ output: 'Initial thoughts' }), chatReply({ output: 'Finish[blue]' })], { cycle: true });
  const compiled = await withSettings({ lm }, () =>
    new BootstrapFewShot({
      metric: simpleMetric,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 1,
      teacher: new SimpleModule(),
    }).compile(new SimpleModule(), trainset),
  );
  expect(compiled.predictor.demos.length).toBeGreaterThanOrEqual(1);
});
