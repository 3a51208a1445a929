export { reportCommand } from './announce.js';
export { type ReportCandidate, type ReportData, type ReportRejected, reportData } from './data.js';
export { type LineageInput, lineageDot } from './dot.js';
export { type LiveOptions, renderReportHtml } from './html.js';
export { buildReport, type ReportOptions, runDirToDot, writeReport } from './report.js';
export { type ReportServer, runDirVersion, type ServeOptions, serveReport } from './serve.js';
