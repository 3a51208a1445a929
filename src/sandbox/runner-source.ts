/**
 * Source of the script that runs inside the sandboxed child process (passed with `-e`, so the child needs no
 * file-system read access). It reads one JSON request on stdin, runs the code as the body of an async function
 * in a fresh V8 context that has no `require`, `process` or `import`, and writes one JSON reply on stdout.
 */
export const RUNNER_SOURCE = String.raw`
import vm from 'node:vm';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const logs = [];
let logged = 0;
const log = (...args) => {
  const line = args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
  logged += line.length;
  if (logged <= request.maxLogChars) logs.push(line);
  else if (logs.at(-1) !== '[output truncated]') logs.push('[output truncated]');
};
function safeJson(value) {
  try { return JSON.stringify(value); } catch { return String(value); }
}
let replied = false;
function reply(body) {
  if (replied) return;
  replied = true;
  clearTimeout(guard);
  process.stdout.write(JSON.stringify(body));
}
// A promise that never settles would otherwise let the process exit silently; answer with a timeout instead.
const guard = setTimeout(() => {
  reply({ ok: false, error: { name: 'Error', message: 'Script execution timed out (the returned promise never settled)', stack: '' }, logs });
}, request.timeoutMs);
const context = vm.createContext(
  { console: { log, info: log, warn: log, error: log, debug: log }, input: request.input },
  { codeGeneration: { strings: false, wasm: false } },
);
try {
  const script = new vm.Script('(async () => {\n' + request.code + '\n})()', { filename: 'program.js', lineOffset: -1 });
  const value = await script.runInContext(context, { timeout: request.timeoutMs, breakOnSigint: true });
  let encoded;
  try {
    encoded = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new Error('The returned value is not JSON-serialisable: ' + error.message);
  }
  reply({ ok: true, value: JSON.parse(encoded ?? 'null'), logs });
} catch (error) {
  const e = error && typeof error === 'object' ? error : { name: 'Error', message: String(error) };
  reply({ ok: false, error: { name: String(e.name ?? 'Error'), message: String(e.message ?? e), stack: String(e.stack ?? '') }, logs });
}
`;
