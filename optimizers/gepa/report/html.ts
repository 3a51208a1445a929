import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_JS } from './client.js';
import type { ReportData } from './data.js';
import { REPORT_CSS } from './style.js';

let diffLibrary: string | undefined;

/** The `diff` package's browser build (jsdiff), inlined so the page computes text diffs offline. */
function diffScript(): string {
  if (diffLibrary === undefined) {
    const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
    const pkg = createRequire(here).resolve('diff/package.json');
    diffLibrary = readFileSync(join(dirname(pkg), 'dist', 'diff.min.js'), 'utf8');
  }
  return diffLibrary;
}

/** Text safe inside a `<script>` element: no `</script>` or `<!--` can end or change it. */
function scriptSafe(text: string): string {
  return text.replace(/<(\/script|!--)/gi, '\\u003c$1');
}

export interface LiveOptions {
  /** Poll interval in ms. */
  poll: number;
  /** The run dir's version when the page was made (the page reloads its data when `/version` differs). */
  version: string;
}

/**
 * The self-contained HTML report: inline CSS, inline script and data, no external resources. The content security
 * policy forbids every network request, except polling its own server in live mode.
 */
export function renderReportHtml(data: ReportData, live?: LiveOptions): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const connect = live ? "'self'" : "'none'";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src ${connect}">
<title>${escapeHtml(data.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header id="head"></header>
<main>
<div class="col">
<section><h2>Score vs budget</h2><svg data-chart="score" role="img" aria-label="Validation score against metric calls"></svg>
<div class="legend"><span><span class="sw" style="background:#2f6fde;border-radius:0;height:3px;border:none"></span>best so far</span><span>● candidate (colour = score), click to inspect</span></div></section>
<section><h2>Lineage</h2><div class="lineage-wrap"><svg data-chart="lineage"></svg></div>
<div class="legend"><span><span class="sw" style="background:#8fd19e"></span>candidate (colour = score)</span><span>◆ merge (dashed edges)</span><span><span class="sw" style="border:3px solid #e0a800"></span>best</span><span style="color:#d64545">✕n rejected proposals from a candidate</span></div></section>
<section><h2>Frontier</h2><div class="frontier" data-chart="frontier"></div><p class="sub" id="frontier-note"></p></section>
<section><h2>LM usage</h2><svg data-chart="usage" role="img" aria-label="Tokens over the run"></svg>
<div class="legend"><span style="color:#2f6fde">━ task LM</span><span style="color:#d6863a">━ reflection LM</span></div><table id="usage-table"></table></section>
<section id="errors" hidden></section>
</div>
<section id="detail"></section>
</main>
<script type="application/json" id="report-data">${json}</script>
<script type="application/json" id="report-live">${JSON.stringify(live ?? { poll: 0, version: '' })}</script>
<script>${scriptSafe(diffScript())}</script>
<script>${scriptSafe(REPORT_JS)}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
