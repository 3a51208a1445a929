/** ChatAdapter format + parse throughput for a 3-input / 2-output signature with 3 demos. Target ≥ 50,000/s. */
import { ChatAdapter, chatReply, signature } from 'tsdspy';

export function benchAdapter(durationMs = 2000): { opsPerSecond: number; iterations: number } {
  const sig = signature("question, context: string[], level: int -> answer: number, verdict: 'ok' | 'bad'", 'Solve it.');
  const demos = [1, 2, 3].map((i) => ({
    question: `demo ${i}?`,
    context: [`fact ${i}`, 'more'],
    level: i,
    answer: i * 2,
    verdict: 'ok',
  }));
  const inputs = { question: 'What is six times seven?', context: ['multiplication', 'arithmetic'], level: 3 };
  const reply = chatReply({ answer: 42, verdict: 'ok' });
  const adapter = new ChatAdapter();
  const run = () => {
    adapter.format(sig, demos, inputs);
    adapter.parse(sig, reply);
  };
  for (let i = 0; i < 2000; i++) run(); // warm up the JIT and template caches
  let iterations = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 500; i++) run();
    iterations += 500;
  }
  const seconds = (performance.now() - start) / 1000;
  return { opsPerSecond: Math.round(iterations / seconds), iterations };
}
