import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';

/**
 * Holds a matrix of unit row vectors and scores query vectors against every row (dot products). The WebAssembly
 * SIMD kernel is used where the runtime supports it (Node 20 does); otherwise a plain JavaScript loop.
 */
export interface ScoreKernel {
  readonly rows: number;
  readonly dims: number;
  /** Scores of each query against every row (one array of `rows` per query). */
  score(queries: readonly Float32Array[]): Float32Array[];
  /** The matrix, row-major and unpadded (for saving). */
  matrix(): Float32Array;
}

// The few WebAssembly APIs used here (the project's `lib` has no DOM types).
interface WasmModule {
  readonly kind?: 'module';
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let wasmModule: WasmModule | null | undefined;

function compiledKernel(): WasmModule | null {
  if (wasmModule === undefined) {
    try {
      const bytes = Buffer.from(KERNEL_WASM_BASE64, 'base64');
      // validate() is false where 128-bit SIMD is unsupported: then the JavaScript loop is used.
      wasmModule = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

/** Builds a kernel over `matrix` (n × d, row-major). `preferWasm: false` forces the JavaScript loop. */
export function createScoreKernel(matrix: Float32Array, n: number, d: number, preferWasm = true): ScoreKernel {
  const module = preferWasm ? compiledKernel() : null;
  return module ? new WasmKernel(module, matrix, n, d) : new JsKernel(matrix, n, d);
}

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scores4(mat: number, n: number, dp: number, ...offsets: number[]): void;
  scores1(mat: number, n: number, dp: number, q: number, o: number): void;
}

const PAGE = 65_536;

class WasmKernel implements ScoreKernel {
  private readonly exports: KernelExports;
  private readonly dp: number;
  private readonly queryOffset: number;
  private readonly outOffset: number;

  constructor(
    module: WasmModule,
    matrix: Float32Array,
    readonly rows: number,
    readonly dims: number,
  ) {
    this.exports = new (wasm as WasmApi).Instance(module).exports as unknown as KernelExports;
    this.dp = Math.ceil(dims / 4) * 4;
    const matrixBytes = rows * this.dp * 4;
    this.queryOffset = matrixBytes;
    this.outOffset = matrixBytes + 4 * this.dp * 4;
    const needed = this.outOffset + 4 * rows * 4;
    const memory = this.exports.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    const view = new Float32Array(memory.buffer, 0, rows * this.dp);
    if (this.dp === dims) view.set(matrix.subarray(0, rows * dims));
    else for (let r = 0; r < rows; r++) view.set(matrix.subarray(r * dims, (r + 1) * dims), r * this.dp);
  }

  score(queries: readonly Float32Array[]): Float32Array[] {
    const { memory, scores4, scores1 } = this.exports;
    const out: Float32Array[] = [];
    const qBytes = this.dp * 4;
    const oBytes = this.rows * 4;
    for (let j = 0; j < queries.length; j += 4) {
      const group = queries.slice(j, j + 4);
      const qView = new Float32Array(memory.buffer, this.queryOffset, 4 * this.dp);
      qView.fill(0);
      for (const [i, q] of group.entries()) qView.set(q.subarray(0, this.dims), i * this.dp);
      if (group.length === 4) {
        scores4(
          0,
          this.rows,
          this.dp,
          ...[0, 1, 2, 3].map((i) => this.queryOffset + i * qBytes),
          ...[0, 1, 2, 3].map((i) => this.outOffset + i * oBytes),
        );
      } else {
        for (let i = 0; i < group.length; i++)
          scores1(0, this.rows, this.dp, this.queryOffset + i * qBytes, this.outOffset + i * oBytes);
      }
      for (let i = 0; i < group.length; i++) {
        out.push(new Float32Array(memory.buffer, this.outOffset + i * oBytes, this.rows).slice());
      }
    }
    return out;
  }

  matrix(): Float32Array {
    const view = new Float32Array(this.exports.memory.buffer, 0, this.rows * this.dp);
    if (this.dp === this.dims) return view.slice();
    const out = new Float32Array(this.rows * this.dims);
    for (let r = 0; r < this.rows; r++) out.set(view.subarray(r * this.dp, r * this.dp + this.dims), r * this.dims);
    return out;
  }
}

class JsKernel implements ScoreKernel {
  constructor(
    private readonly data: Float32Array,
    readonly rows: number,
    readonly dims: number,
  ) {}

  matrix(): Float32Array {
    return this.data;
  }

  score(queries: readonly Float32Array[]): Float32Array[] {
    const matrix = this.data;
    const d = this.dims;
    const n = this.rows;
    const out = queries.map(() => new Float32Array(n));
    const m = queries.length;
    // Queries four at a time: each matrix value is loaded once and used four times.
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const [q0, q1, q2, q3] = queries.slice(j, j + 4) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const [o0, o1, o2, o3] = out.slice(j, j + 4) as [Float32Array, Float32Array, Float32Array, Float32Array];
      for (let r = 0, base = 0; r < n; r++, base += d) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < d; t++) {
          const x = matrix[base + t] as number;
          s0 += x * (q0[t] as number);
          s1 += x * (q1[t] as number);
          s2 += x * (q2[t] as number);
          s3 += x * (q3[t] as number);
        }
        o0[r] = s0;
        o1[r] = s1;
        o2[r] = s2;
        o3[r] = s3;
      }
    }
    for (; j < m; j++) {
      const q = queries[j] as Float32Array;
      const o = out[j] as Float32Array;
      for (let r = 0, base = 0; r < n; r++, base += d) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (matrix[base + t] as number) * (q[t] as number);
        o[r] = s;
      }
    }
    return out;
  }
}
