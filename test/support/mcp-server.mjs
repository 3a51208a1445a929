// A small MCP server written with the official SDK, for mcpTools tests: `node mcp-server.mjs stdio` serves on
// stdin/stdout; `node mcp-server.mjs http` serves Streamable HTTP on a free loopback port and prints the URL.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function buildServer() {
  const server = new McpServer({ name: 'tsdspy-test', version: '1.0.0' });
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers.',
      inputSchema: { a: z.number().describe('First addend'), b: z.number().describe('Second addend') },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  server.registerTool(
    'weather',
    { description: 'Current weather in a city.', inputSchema: { city: z.string().describe('City name') } },
    async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}, 21°C` }] }),
  );
  server.registerTool('fail', { description: 'Always fails.' }, async () => ({
    content: [{ type: 'text', text: 'the database is down' }],
    isError: true,
  }));
  server.registerTool('slow', { description: 'Answers after a delay.', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('die', { description: 'Kills the server mid-call.' }, async () => {
    setTimeout(() => process.exit(3), 10);
    await new Promise(() => {});
  });
  return server;
}

if (process.argv[2] === 'http') {
  const http = createServer(async (req, res) => {
    // Stateless: a fresh server and transport per request.
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    await transport.handleRequest(req, res, body);
  });
  http.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${http.address().port}/mcp\n`);
  });
} else {
  await buildServer().connect(new StdioServerTransport());
}
