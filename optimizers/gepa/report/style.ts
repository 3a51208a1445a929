/** The report's stylesheet, inlined into the page. */
export const REPORT_CSS = String.raw`
:root { --fg:#1d232b; --muted:#5f6b7a; --line:#d8dee6; --bg:#f6f8fa; --card:#fff; --accent:#2f6fde; --best:#e0a800;
  --good:#1f9d55; --bad:#d64545; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
header { padding: 16px 24px 8px; background: var(--card); border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
.sub { color: var(--muted); font-size: 12px; }
.stats { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 6px; }
.stat { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; min-width: 120px; }
.stat b { display: block; font-size: 16px; }
.stat span { color: var(--muted); font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(340px, 42%); gap: 16px; padding: 16px 24px; align-items: start; }
.col { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
#detail { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
svg text { font-size: 11px; fill: var(--muted); }
.axis line, .axis path { stroke: #aab4c0; }
.grid line { stroke: #eef1f4; }
.best-line { fill: none; stroke: var(--accent); stroke-width: 2; }
.pt { cursor: pointer; stroke: #fff; stroke-width: 1; }
.pt.best { stroke: var(--best); stroke-width: 3; }
.lineage-wrap { overflow: auto; max-height: 560px; border: 1px solid var(--line); border-radius: 6px; background: #fcfdfe; }
.edge { stroke: #9aa6b4; stroke-width: 1.2; fill: none; }
.edge.merge { stroke-dasharray: 4 3; stroke: #8a63d2; }
.node { cursor: pointer; }
.node .shape { stroke: #4a5563; stroke-width: 1; }
.node.best .shape { stroke: var(--best); stroke-width: 4; }
.node.selected .shape { stroke: var(--accent); stroke-width: 3; }
.node text { fill: #1d232b; font-size: 10px; pointer-events: none; }
.node .rej { fill: var(--bad); font-size: 9px; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; color: var(--muted); font-size: 12px; margin-top: 6px; align-items: center; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 50%; vertical-align: -2px; margin-right: 4px; border: 1px solid #4a5563; }
.frontier { display: flex; gap: 8px; align-items: flex-start; overflow-x: auto; }
.frontier-rows { font-size: 11px; white-space: nowrap; }
.frontier-rows div { height: 14px; line-height: 14px; cursor: pointer; color: var(--fg); }
.frontier-rows div:hover { color: var(--accent); }
.frontier canvas { image-rendering: pixelated; border: 1px solid var(--line); }
.tag { display: inline-block; padding: 0 6px; border-radius: 10px; background: var(--bg); border: 1px solid var(--line); font-size: 12px; margin-right: 4px; }
.tag.best { background: #fff4cc; border-color: var(--best); }
.tag.merge { background: #efe8fb; border-color: #8a63d2; }
button.link { background: none; border: none; color: var(--accent); cursor: pointer; padding: 0 2px; font: inherit; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px; margin: 4px 0 8px; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 360px; overflow: auto; }
.diff ins { background: #d7f5dd; text-decoration: none; color: #0b5a26; }
.diff del { background: #fbdcdc; color: #8a1f1f; }
.strip { display: flex; flex-wrap: wrap; gap: 1px; margin: 4px 0; }
.strip i { width: 9px; height: 9px; display: inline-block; }
details summary { cursor: pointer; color: var(--accent); margin: 4px 0; }
table { border-collapse: collapse; font-size: 12px; }
td, th { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; }
td:first-child, th:first-child { text-align: left; }
.empty { color: var(--muted); font-style: italic; }
.live { color: var(--good); font-weight: 600; }
.errors li { color: var(--bad); }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } #detail { position: static; max-height: none; } }
`;
