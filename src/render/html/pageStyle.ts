/** The page's own stylesheet (d3-flame-graph injects the one for its frames). */
export const PAGE_STYLE = `
html { overflow-y: scroll; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fff; }
header { padding: 12px 16px 8px; border-bottom: 1px solid #ddd; background: #fafafa; }
h1 { margin: 0 0 6px; font-size: 20px; font-weight: 600; }
h2 { margin: 14px 16px 6px; font-size: 16px; font-weight: 600; }
h2 .hint { margin-left: 10px; font-size: 12px; font-weight: normal; color: #777; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 6px; }
.meta dt { color: #666; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.meta code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.totals { margin: 0 0 8px; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 20px; }
.totals .label { color: #666; }
.totals .value { font-weight: 600; font-variant-numeric: tabular-nums; }
.notices { margin: 0; padding: 0; list-style: none; }
.notices li { margin: 3px 0; padding: 3px 8px; border-left: 4px solid #999; background: #fff; overflow-wrap: anywhere; }
.notices li.warning { border-color: #e53935; background: #fdecea; }
.notices li.finding { border-color: #fb8c00; background: #fff4e5; }
.notices li.note { border-color: #90a4ae; color: #555; }
.notices .tag { font-size: 11px; font-weight: 600; text-transform: uppercase; color: #666; margin-right: 4px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0 16px 6px; }
.toolbar input[type=search] { width: 22em; max-width: 100%; padding: 3px 6px; font: inherit; }
.toolbar button, .toolbar select { font: inherit; padding: 2px 10px; }
.views button[aria-pressed=true] { background: #333; color: #fff; border-color: #333; }
#search-result, #tl-range { font-variant-numeric: tabular-nums; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-left: auto; color: #444; }
.legend-item { display: inline-flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #999; }
.filter { margin-left: 10px; padding: 1px 8px; font-size: 13px; font-weight: normal; background: #333; color: #fff; border-radius: 3px; }
.filter[hidden] { display: none; }
.table-box { margin: 0 16px; overflow-x: auto; }
#threads { border-collapse: collapse; font-variant-numeric: tabular-nums; }
#threads th, #threads td { padding: 2px 8px; border-bottom: 1px solid #eee; white-space: nowrap; text-align: left; }
#threads th { cursor: pointer; user-select: none; background: #f3f3f3; }
#threads th[aria-sort=descending]::after { content: " ▼"; font-size: 10px; }
#threads th[aria-sort=ascending]::after { content: " ▲"; font-size: 10px; }
#threads .num { text-align: right; }
#threads .share { color: #888; font-size: 12px; }
#threads tbody tr { cursor: pointer; }
#threads tbody tr:hover { background: #f5f9ff; }
#threads tbody tr.selected { background: #dbe9ff; }
#timeline { display: flex; margin: 0 16px; }
#tl-labels { flex: none; max-width: 220px; font: 12px/18px ui-monospace, "DejaVu Sans Mono", monospace; }
.tl-axis-spacer { height: 22px; }
.tl-label { height: 18px; margin-bottom: 4px; padding-right: 8px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: pointer; }
.tl-label:hover { text-decoration: underline; }
#tl-canvas-box { flex: 1; min-width: 0; }
#tl-canvas { display: block; cursor: grab; }
#details { min-height: 1.4em; padding: 4px 16px; color: #333; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-bottom: 1px solid #eee; }
#chart { margin: 0 16px 16px; }
#chart svg { display: block; }
#chart[hidden] { display: none; }
/* d3-flame-graph asks for Verdana, which Linux rarely has; its stylesheet comes later, hence the id. */
#chart .d3-flame-graph-label { font-family: Verdana, "DejaVu Sans", system-ui, sans-serif; font-size: 12px; }
.empty { margin: 40px 16px; font-size: 16px; color: #555; }
#tooltip { position: fixed; z-index: 10; max-width: min(640px, 90vw); padding: 6px 10px; border-radius: 4px; pointer-events: none;
  background: rgba(20, 20, 20, 0.92); color: #fff; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; white-space: pre-wrap; }
#tooltip[hidden] { display: none; }
#tooltip .tip-title { font-weight: 600; }
#tooltip .tip-line { color: #ddd; }
`;
