import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  chatReply,
  connectMCP,
  type LMRequest,
  type MCPConnection,
  MCPToolError,
  mcpTools,
  ReAct,
  renderValue,
  ScriptedLM,
  type Tool,
} from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('./support/mcp-server.mjs', import.meta.url));

const step = (thought: string, name: string, args: unknown) =>
  chatReply({ next_thought: thought, next_tool_name: name, next_tool_args: args });
const isReact = (r: LMRequest) => (r.messages[0]?.content ?? '').includes('`next_thought`');

function byName(tools: Tool[]): Record<string, Tool> {
  return Object.fromEntries(tools.map((t) => [t.name, t]));
}

/** The checks both transports must pass. */
function transportSuite(name: string, connect: () => Promise<MCPConnection>) {
  describe(`mcpTools over ${name}`, () => {
    let connection: MCPConnection;
    let tools: Record<string, Tool>;

    beforeAll(async () => {
      connection = await connect();
      tools = byName(await mcpTools(connection.client, { timeoutMs: 2_000 }));
    }, 60_000); // starting a server process can be slow on a loaded machine
    afterAll(async () => {
      await connection.close();
    });

    it('lists every tool with its description, argument descriptions and schema', () => {
      expect(Object.keys(tools).sort()).toEqual(['add', 'die', 'fail', 'slow', 'weather']);
      expect(tools.add?.description).toBe('Adds two numbers.');
      expect(tools.add?.argDescriptions).toEqual({ a: 'First addend', b: 'Second addend' });
      expect(tools.add?.argsSchema()).toMatchObject({
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
      });
    });

    it('calls a tool and returns its structured content, or its text', async () => {
      expect(await tools.add?.call({ a: 2, b: 40 })).toEqual({ sum: 42 });
      expect(await tools.weather?.call({ city: 'Oslo' })).toBe('Sunny in Oslo, 21°C');
    });

    it('validates arguments against the tool schema before calling', async () => {
      await expect(tools.add?.call({ a: 'two', b: 1 })).rejects.toThrow(/Invalid arguments for tool "add"/);
    });

    it('turns an isError result into MCPToolError with the server message', async () => {
      const error = await tools.fail?.call({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPToolError);
      expect((error as MCPToolError).kind).toBe('tool-error');
      expect((error as Error).message).toContain('the database is down');
    });

    it('times out a slow tool with a named error', async () => {
      const error = await tools.slow?.call({ ms: 5_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPToolError);
      expect((error as MCPToolError).kind).toBe('timeout');
    });

    it('lets a ReAct agent use the tools, with tool errors shown as observations', async () => {
      let i = 0;
      const steps = [step('add them', 'add', { a: 1, b: 2 }), step('try the db', 'fail', {}), step('done', 'finish', {})];
      const lm = new ScriptedLM((r) => (isReact(r) ? (steps[i++] as string) : chatReply({ reasoning: 'r', answer: '3' })));
      const agent = new ReAct('question -> answer', { tools: Object.values(tools), predict: { lm } });
      const result = await agent.call({ question: '1 + 2?' });
      expect(result.answer).toBe('3');
      expect(renderValue(result.trajectory[0]?.observation)).toContain('"sum":3');
      expect(result.trajectory[1]?.observation).toContain('the database is down');
    });
  });
}

transportSuite('stdio', () => connectMCP({ command: process.execPath, args: [SERVER, 'stdio'] }));

let httpServer: ChildProcess | undefined;
let httpURL = '';

async function startHttpServer(): Promise<string> {
  httpServer = spawn(process.execPath, [SERVER, 'http'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    httpServer?.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
    httpServer?.once('exit', (code) => reject(new Error(`MCP HTTP server exited (${code})`)));
  });
}

transportSuite('Streamable HTTP', async () => {
  httpURL = await startHttpServer();
  return connectMCP({ url: httpURL });
});

afterAll(() => {
  httpServer?.kill();
});

describe('an MCP server that dies mid-call', () => {
  it('stdio: the call fails with MCPToolError (disconnected) and the agent goes on', async () => {
    const connection = await connectMCP({ command: process.execPath, args: [SERVER, 'stdio'] });
    const tools = byName(await mcpTools(connection.client, { timeoutMs: 5_000 }));
    let i = 0;
    const steps = [step('kill it', 'die', {}), step('done', 'finish', {})];
    const lm = new ScriptedLM((r) => (isReact(r) ? (steps[i++] as string) : chatReply({ reasoning: 'r', answer: 'gone' })));
    const agent = new ReAct('question -> answer', { tools: Object.values(tools), predict: { lm } });
    const result = await agent.call({ question: 'q' });
    expect(result.answer).toBe('gone');
    expect(result.trajectory[0]?.observation).toMatch(/went away|closed/i);
    const error = await tools.weather?.call({ city: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPToolError);
    await connection.close();
  });

  // Over HTTP the SDK does not notice a dropped response stream; the call ends at its timeout, still a named error.
  it('HTTP: a server process that exits mid-call gives MCPToolError', async () => {
    const server = spawn(process.execPath, [SERVER, 'http'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => server.stdout?.once('data', (c: Buffer) => resolve(c.toString().trim())));
    const connection = await connectMCP({ url });
    const tools = byName(await mcpTools(connection.client, { timeoutMs: 1_500 }));
    const error = await tools.die?.call({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPToolError);
    expect(['disconnected', 'timeout']).toContain((error as MCPToolError).kind);
    await expect(tools.weather?.call({ city: 'x' })).rejects.toBeInstanceOf(MCPToolError);
    await connection.close().catch(() => {});
    server.kill();
  });
});
