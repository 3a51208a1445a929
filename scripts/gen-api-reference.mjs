// Regenerates optimizers/gepa/program-source/api-reference.ts from docs/program-api.md
// (the reference GEPA shows the reflection LM when it evolves whole programs). A test fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';

const doc = readFileSync(new URL('../docs/program-api.md', import.meta.url), 'utf8');
const out = `// Generated from docs/program-api.md by scripts/gen-api-reference.mjs; do not edit by hand.\nexport const PROGRAM_API_REFERENCE = ${JSON.stringify(doc)};\n`;
writeFileSync(new URL('../optimizers/gepa/program-source/api-reference.ts', import.meta.url), out);
