/** The HTML text of the page, from a finished flame tree and the inlined scripts. Pure. */
import type { ScriptAsset } from './assets.js';
import { flameGraphClient } from './client.js';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';
import type { FlameNode } from './hierarchy.js';
import { PAGE_STYLE } from './pageStyle.js';

export interface HtmlTotal {
  label: string;
  value: string;
}

export interface PageText {
  title: string;
  /** Unit shown after every number, such as `µs`. */
  unit: string;
  command: string | undefined;
  input: string | undefined;
  totals: readonly HtmlTotal[];
}

/** Scripts may only be inline, styles only inline, nothing may be fetched. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function header(text: PageText, withControls: boolean): string {
  const meta = [
    ['command', text.command],
    ['input', text.input],
  ]
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `<dt>${label}</dt><dd><code>${escapeHtml(value)}</code></dd>`)
    .join('');
  const totals = text.totals
    .map((total) => `<li><span class="label">${escapeHtml(total.label)}</span> <span class="value">${escapeHtml(total.value)}</span></li>`)
    .join('');
  const controls = withControls
    ? `<div class="toolbar">
<input id="search" type="search" placeholder="Search frames (regex or text)" aria-label="Search frames" autocomplete="off" spellcheck="false">
<button id="reset" type="button" disabled>Reset zoom</button>
<span id="search-result" aria-live="polite"></span>
<span id="legend"></span>
</div>`
    : '';
  return `<header>
<h1>${escapeHtml(text.title)}</h1>
${meta === '' ? '' : `<dl class="meta">${meta}</dl>`}
${totals === '' ? '' : `<ul class="totals">${totals}</ul>`}
${controls}
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
${body}
</body>
</html>
`;
}

export function flameGraphPage(tree: FlameNode, text: PageText, scripts: readonly ScriptAsset[]): string {
  const libraries = scripts.map((script) => `<script>${inlineScript(`/* ${script.label} */\n${script.source}`)}\n</script>`).join('\n');
  return htmlDocument(
    text,
    `${header(text, true)}
<div id="details">Hover over a frame for details; click it to zoom in.</div>
<div id="chart"></div>
<div id="tooltip" role="tooltip" hidden><div id="tooltip-name"></div><div id="tooltip-value"></div><div id="tooltip-kind"></div></div>
<script type="application/json" id="offgil-data">${jsonForScript({ unit: text.unit, tree })}</script>
${libraries}
<script>(${inlineScript(flameGraphClient.toString())})();</script>`,
  );
}

/** The page for a profile without stacks: header and a message, no scripts. */
export function emptyPage(text: PageText): string {
  return htmlDocument(text, `${header(text, false)}\n<p class="empty">Nothing to show: the profile has no stacks.</p>`);
}
