import { chatReply, programBundleCode, SandboxPool, ScriptedLM, withSettings } from 'tsdspy';

const src = `
import { Module, Predict } from 'tsdspy';
class P extends Module {
  step = new Predict('question -> answer');
  async forward(inputs: { question: string }) { const r = await this.step.call(inputs); return { answer: r.answer + '!' }; }
}
export default new P();
`;
let t = performance.now();
const code = await programBundleCode(src);
console.log('build ms', Math.round(performance.now() - t), code.length);
const pool = new SandboxPool({ size: 1 });
const lm = new ScriptedLM(() => chatReply({ answer: 'forty-two' }), {});
t = performance.now();
const r = await withSettings({ lm }, () => pool.call(code, { question: 'q?' }));
console.log('first call ms', Math.round(performance.now() - t), JSON.stringify(r).slice(0, 300));
t = performance.now();
for (let i = 0; i < 20; i++) await withSettings({ lm }, () => pool.call(code, { question: 'q' + i }));
console.log('warm call ms', ((performance.now() - t) / 20).toFixed(2), 'spawns', pool.spawnCount);
try {
  await programBundleCode('const x: number = ;');
} catch (e) {
  console.log((e as Error).message, (e as any).line, (e as any).column);
}
await pool.close();
