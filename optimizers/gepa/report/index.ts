export { type ReportCandidate, type ReportData, type ReportRejected, reportData } from './data.js';
export { type LineageInput, lineageDot } from './dot.js';
export { type LiveOptions, renderReportHtml } from './html.js';
export { buildReport, type ReportOptions, runDirToDot, writeReport } from './report.js';
