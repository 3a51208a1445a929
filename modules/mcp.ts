import { z } from 'zod';
import { TsdspyError } from '../src/errors/index.js';
import { logger } from '../src/logger/logger.js';
import { Tool } from './tool.js';

/** A call to an MCP tool failed: the tool reported an error, timed out, or the server went away. */
export class MCPToolError extends TsdspyError {
  constructor(
    message: string,
    readonly tool: string,
    readonly kind: 'tool-error' | 'timeout' | 'disconnected' | 'protocol',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The parts of an `@modelcontextprotocol/sdk` `Client` that `mcpTools` uses (any connected client fits). */
export interface MCPClientLike {
  listTools(
    params?: { cursor?: string },
    options?: { timeout?: number },
  ): Promise<{ tools: MCPToolDescription[]; nextCursor?: string | undefined }>;
  callTool(
    params: { name: string; arguments?: Record<string, unknown> },
    resultSchema?: undefined,
    options?: { timeout?: number; signal?: AbortSignal },
  ): Promise<unknown>;
}

export interface MCPToolDescription {
  name: string;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
}

export interface MCPToolsOptions {
  /** Per-call timeout in ms (default 60,000, the SDK's own default). */
  timeoutMs?: number;
  /** Only these tools (by MCP name). */
  include?: readonly string[];
}

const contentSchema = z.array(
  z.union([
    z.object({ type: z.literal('text'), text: z.string() }).passthrough(),
    z.object({ type: z.literal('image'), mimeType: z.string() }).passthrough(),
    z.object({ type: z.literal('audio'), mimeType: z.string() }).passthrough(),
    z
      .object({ type: z.literal('resource'), resource: z.object({ uri: z.string(), text: z.string().optional() }).passthrough() })
      .passthrough(),
    z.object({ type: z.literal('resource_link'), uri: z.string() }).passthrough(),
    z.object({ type: z.string() }).passthrough(),
  ]),
);

const callResultSchema = z
  .object({
    content: contentSchema.optional(),
    structuredContent: z.record(z.string(), z.unknown()).optional(),
    isError: z.boolean().optional(),
    toolResult: z.unknown().optional(),
  })
  .passthrough();

const TOOL_NAME_UNSAFE = /[^A-Za-z0-9_-]/g;

/**
 * Every tool of a connected MCP client as a tsdspy `Tool`: the description and argument descriptions are text
 * parameters (optimizable), the tool's JSON Schema becomes its argument schema (validated like any tool), and the
 * result's content (text, structured content) is the observation. An `isError` result, a timeout or a dead server
 * throws `MCPToolError`, which ReAct shows to the agent as the step's observation.
 */
export async function mcpTools(client: MCPClientLike, options: MCPToolsOptions = {}): Promise<Tool[]> {
  const timeout = options.timeoutMs ?? 60_000;
  const listed: MCPToolDescription[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, { timeout });
    listed.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  const wanted = options.include ? new Set(options.include) : undefined;
  return listed.filter((t) => !wanted || wanted.has(t.name)).map((t) => toTool(client, t, timeout));
}

function toTool(client: MCPClientLike, description: MCPToolDescription, timeout: number): Tool {
  const mcpName = description.name;
  const name = /^[A-Za-z_]/.test(mcpName) ? mcpName.replace(TOOL_NAME_UNSAFE, '_') : `_${mcpName.replace(TOOL_NAME_UNSAFE, '_')}`;
  return new Tool({
    name,
    description: description.description ?? '',
    parameters: parametersFromJsonSchema(mcpName, description.inputSchema),
    async execute(args) {
      let raw: unknown;
      try {
        raw = await client.callTool({ name: mcpName, arguments: args as Record<string, unknown> }, undefined, { timeout });
      } catch (error) {
        throw wrapCallError(mcpName, error, timeout);
      }
      const parsed = callResultSchema.safeParse(raw);
      if (!parsed.success) {
        throw new MCPToolError(`MCP tool "${mcpName}" sent a result that is not an MCP tool result.`, mcpName, 'protocol');
      }
      const result = parsed.data;
      const text = renderContent(result.content ?? []);
      if (result.isError)
        throw new MCPToolError(`MCP tool "${mcpName}" failed: ${text || '(no message)'}`, mcpName, 'tool-error');
      if (result.structuredContent) return result.structuredContent;
      if (result.toolResult !== undefined) return result.toolResult;
      return text;
    },
  });
}

/** The tool's JSON Schema as a zod object; a schema zod cannot read becomes an open object (the server validates). */
function parametersFromJsonSchema(tool: string, schema: Record<string, unknown>): z.ZodObject {
  try {
    const converted = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    if (converted instanceof z.ZodObject) return converted;
  } catch (error) {
    logger.warn(
      `MCP tool "${tool}": its input schema could not be converted (${(error as Error).message}); arguments are passed unchecked.`,
    );
  }
  return z.object({}).catchall(z.unknown());
}

function renderContent(content: z.infer<typeof contentSchema>): string {
  return content
    .map((part) => {
      const p = part as Record<string, unknown>;
      switch (p.type) {
        case 'text':
          return String(p.text);
        case 'image':
        case 'audio':
          return `[${p.type}: ${String(p.mimeType)}]`;
        case 'resource': {
          const resource = p.resource as { uri: string; text?: string };
          return resource.text ?? `[resource: ${resource.uri}]`;
        }
        case 'resource_link':
          return `[resource: ${String(p.uri)}]`;
        default:
          return `[${String(p.type)} content]`;
      }
    })
    .join('\n');
}

function wrapCallError(tool: string, error: unknown, timeout: number): MCPToolError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  if (code === -32001 || /timed? ?out/i.test(message)) {
    return new MCPToolError(
      `MCP tool "${tool}" timed out after ${timeout} ms (over HTTP this is also how a server that died mid-call shows).`,
      tool,
      'timeout',
      { cause: error },
    );
  }
  if (code === -32000 || /closed|disconnect|EPIPE|ECONNRESET|ECONNREFUSED|terminated/i.test(message)) {
    return new MCPToolError(`MCP tool "${tool}": the server went away (${message}).`, tool, 'disconnected', { cause: error });
  }
  return new MCPToolError(`MCP tool "${tool}" failed: ${message}`, tool, 'protocol', { cause: error });
}

export type MCPConnectOptions =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string; name?: string }
  | { url: string; transport?: 'streamable-http' | 'sse'; headers?: Record<string, string>; name?: string };

/** A connected MCP client and a way to close it. */
export interface MCPConnection {
  client: MCPClientLike;
  close(): Promise<void>;
}

/**
 * Connects to an MCP server with the official SDK (an optional peer dependency, loaded now): a local process over
 * stdio (`{ command, args }`), or a remote server over Streamable HTTP (`{ url }`) or SSE (`{ url, transport: 'sse' }`).
 */
export async function connectMCP(options: MCPConnectOptions): Promise<MCPConnection> {
  let sdk: typeof import('@modelcontextprotocol/sdk/client/index.js');
  try {
    sdk = await import('@modelcontextprotocol/sdk/client/index.js');
  } catch {
    throw new TsdspyError(
      'connectMCP needs the optional package "@modelcontextprotocol/sdk". Install it: npm install @modelcontextprotocol/sdk',
    );
  }
  const client = new sdk.Client({ name: options.name ?? 'tsdspy', version: '1' });
  if ('command' in options) {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    await client.connect(
      new StdioClientTransport({
        command: options.command,
        ...(options.args ? { args: options.args } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
        stderr: 'pipe',
      }),
    );
  } else if (options.transport === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    await client.connect(
      new SSEClientTransport(new URL(options.url), options.headers ? { requestInit: { headers: options.headers } } : {}),
    );
  } else {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(options.url),
        options.headers ? { requestInit: { headers: options.headers } } : {},
      ),
    );
  }
  return { client: client as unknown as MCPClientLike, close: () => client.close() };
}
