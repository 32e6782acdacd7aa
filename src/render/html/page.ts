/** The HTML text of the page, from the embedded data and the inlined scripts. Pure. */
import type { ScriptAsset } from './assets.js';
import { reportClient } from './client.js';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';
import type { PageData } from './pageData.js';
import { PAGE_STYLE } from './pageStyle.js';
import { timelineClient } from './timelineClient.js';

export interface HtmlTotal {
  label: string;
  value: string;
}

/** A line of the header's notices: a warning about the input, a note, or a finding of the diagnosis. */
export interface HtmlNotice {
  severity: 'warning' | 'note' | 'finding';
  message: string;
}

export interface PageText {
  title: string;
  /** Unit shown after every number, such as `µs`. */
  unit: string;
  command: string | undefined;
  input: string | undefined;
  /** Diff pages: the two inputs. */
  before?: string | undefined;
  after?: string | undefined;
  totals: readonly HtmlTotal[];
  notices?: readonly HtmlNotice[];
}

/** Scripts may only be inline, styles only inline, nothing may be fetched. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const NOTICE_LABELS: Record<HtmlNotice['severity'], string> = { warning: 'warning', note: 'note', finding: 'finding' };

function header(text: PageText): string {
  const meta = [
    ['command', text.command],
    ['input', text.input],
    ['before', text.before],
    ['after', text.after],
  ]
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `<dt>${label}</dt><dd><code>${escapeHtml(value)}</code></dd>`)
    .join('');
  const totals = text.totals
    .map((total) => `<li><span class="label">${escapeHtml(total.label)}</span> <span class="value">${escapeHtml(total.value)}</span></li>`)
    .join('');
  const notices = (text.notices ?? [])
    .map((notice) => `<li class="${notice.severity}"><span class="tag">${NOTICE_LABELS[notice.severity]}</span> ${escapeHtml(notice.message)}</li>`)
    .join('');
  return `<header>
<h1>${escapeHtml(text.title)}</h1>
${meta === '' ? '' : `<dl class="meta">${meta}</dl>`}
${totals === '' ? '' : `<ul class="totals">${totals}</ul>`}
${notices === '' ? '' : `<ul class="notices">${notices}</ul>`}
</header>`;
}

function htmlDocument(text: PageText, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="offgil">
<title>${escapeHtml(text.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${header(text)}
${body}
</body>
</html>
`;
}

const THREADS_SECTION = `<section id="threads-section">
<h2>Threads <span class="hint">click a column to sort, a thread to show only it everywhere</span></h2>
<div class="table-box"><table id="threads"><tbody></tbody></table></div>
</section>`;

const TIMELINE_SECTION = `<section id="timeline-section">
<h2>Timeline <span class="hint">wheel: zoom, drag: pan, hover: what the thread did</span></h2>
<div class="toolbar">
<button id="tl-in" type="button" title="zoom in">+</button>
<button id="tl-out" type="button" title="zoom out">−</button>
<button id="tl-fit" type="button" title="the time when the threads ran">Fit threads</button>
<button id="tl-reset" type="button">Whole recording</button>
<span id="tl-range"></span>
<span id="tl-legend" class="legend"></span>
</div>
<div id="timeline"><div id="tl-labels"></div><div id="tl-canvas-box"><canvas id="tl-canvas"></canvas></div></div>
</section>`;

function flameSection(data: PageData): string {
  const diff = data.mode === 'diff';
  const sides = diff
    ? `<label>widths <select id="width-side"><option value="after">after</option><option value="before">before</option></select></label>`
    : '';
  return `<section id="flame-section">
<h2>Flame graph <span id="filter" class="filter" hidden></span></h2>
<div class="toolbar">
<span id="views" class="views" role="group" aria-label="view"></span>
<input id="search" type="search" placeholder="Search frames (regex or text)" aria-label="Search frames" autocomplete="off" spellcheck="false">
<button id="reset" type="button" disabled>Reset zoom</button>
<label><input id="inverted" type="checkbox"> inverted (icicle)</label>
${sides}
<span id="search-result" aria-live="polite"></span>
<span id="legend" class="legend"></span>
</div>
<div id="details">Hover over a frame for details; click it to zoom in.</div>
<div id="chart"></div>
</section>`;
}

export function reportPage(data: PageData, text: PageText, scripts: readonly ScriptAsset[]): string {
  const libraries = scripts.map((script) => `<script>${inlineScript(`/* ${script.label} */\n${script.source}`)}\n</script>`).join('\n');
  const sections = [
    data.threads !== undefined && data.threads.length > 0 ? THREADS_SECTION : '',
    data.timeline !== undefined && data.timeline.lanes.length > 0 ? TIMELINE_SECTION : '',
    flameSection(data),
  ].filter((section) => section !== '');
  return htmlDocument(
    text,
    `<main>
${sections.join('\n')}
</main>
<div id="tooltip" role="tooltip" hidden></div>
<script type="application/json" id="offgil-data">${jsonForScript(data)}</script>
${libraries}
<script>(${inlineScript(reportClient.toString())})(${inlineScript(timelineClient.toString())});</script>`,
  );
}

/** The page for a profile without stacks: header and a message, no scripts. */
export function emptyPage(text: PageText): string {
  return htmlDocument(text, `<p class="empty">Nothing to show: the profile has no stacks.</p>`);
}
