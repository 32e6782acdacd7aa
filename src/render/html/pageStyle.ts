/** The page's own stylesheet (d3-flame-graph injects the one for its frames). */
export const PAGE_STYLE = `
html { overflow-y: scroll; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fff; }
header { padding: 12px 16px 8px; border-bottom: 1px solid #ddd; background: #fafafa; }
h1 { margin: 0 0 6px; font-size: 20px; font-weight: 600; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 6px; }
.meta dt { color: #666; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.meta code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.totals { margin: 0 0 8px; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 20px; }
.totals .label { color: #666; }
.totals .value { font-weight: 600; font-variant-numeric: tabular-nums; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.toolbar input { width: 24em; max-width: 100%; padding: 3px 6px; font: inherit; }
.toolbar button { font: inherit; padding: 2px 10px; }
#search-result { font-variant-numeric: tabular-nums; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-left: auto; color: #444; }
.legend-item { display: inline-flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #999; }
#details { min-height: 1.4em; padding: 4px 16px; color: #333; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-bottom: 1px solid #eee; }
#chart { margin: 0 16px 16px; }
#chart svg { display: block; }
/* d3-flame-graph asks for Verdana, which Linux rarely has; its stylesheet comes later, hence the id. */
#chart .d3-flame-graph-label { font-family: Verdana, "DejaVu Sans", system-ui, sans-serif; font-size: 12px; }
.empty { margin: 40px 16px; font-size: 16px; color: #555; }
#tooltip { position: fixed; z-index: 10; max-width: min(640px, 90vw); padding: 6px 10px; border-radius: 4px; pointer-events: none;
  background: rgba(20, 20, 20, 0.92); color: #fff; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
#tooltip[hidden] { display: none; }
#tooltip-kind { color: #bbb; }
`;
