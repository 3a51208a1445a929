import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { LM } from 'tsdspy';

const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/loopback-child.ts', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
const baseURL = `http://127.0.0.1:${chunk.toString().trim()}/v1`;
const lm = new LM('openai/gpt-4.1-mini', { apiKey: 'k-0000000000', baseURL, cache: false, maxConcurrency: 64 });
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => lm.call({ messages: [{ role: 'user', content: `q${i}` }] })));
  const cpu = process.cpuUsage(cpu0);
  console.log(
    'wall',
    Math.round(performance.now() - t),
    'ms; client cpu per call',
    ((cpu.user + cpu.system) / 1000).toFixed(0),
    'µs',
  );
}
child.kill();
