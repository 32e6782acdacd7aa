/**
 * The ECMAScript embedded in the SVG: click to zoom, reset zoom, regex search with the matched share,
 * case toggle, keyboard shortcuts, hover details, and the zoom/search state in the URL (`?x=&y=`,
 * `?s=`) so that a view can be shared. It works on the document alone (geometry and `<title>`s), so
 * it needs no data besides a few layout numbers.
 */

export interface ScriptConfig {
  /** Prefix of the details line (`--nametype`). */
  nameType: string;
  fontSize: number;
  fontWidth: number;
  /** Left and right margin of the frames in px. */
  xpad: number;
  /** Image width in px. */
  width: number;
  /** Icicle graph: deeper frames have larger y. */
  inverted: boolean;
}

/** JSON that is also safe inside CDATA and inside an HTML `<script>` (no `<`, `>`). */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

export function flameGraphScript(config: ScriptConfig): string {
  return `<script type="text/ecmascript">\n<![CDATA[\n${scriptBody(embeddedJson(config))}]]>\n</script>\n`;
}

function scriptBody(config: string): string {
  return String.raw`"use strict";
var fg = ${config};
var SEARCH_FILL = "rgb(230,0,230)";
// Box edges are printed with one decimal; sums of them carry float noise far below this.
var EPSILON = 0.001;
var framesGroup, detailsText, unzoomButton, searchButton, caseButton, matchedText;
var searchTerm = null, ignoreCase = false;

function init() {
	framesGroup = document.getElementById("frames");
	detailsText = document.getElementById("details").firstChild;
	unzoomButton = document.getElementById("unzoom");
	searchButton = document.getElementById("search");
	caseButton = document.getElementById("ignorecase");
	matchedText = document.getElementById("matched").firstChild;
	var params = readParams();
	if (params.x !== undefined && params.y !== undefined) {
		var target = frameAt(params.x, params.y);
		if (target) zoom(target);
	}
	if (params.s) search(params.s);
}

// Frames: the children of #frames, each a <g> (or an <a> from --nameattr) with <title>, <rect>, <text>.
function frameList() { return framesGroup ? framesGroup.children : []; }
function frameOf(node) {
	if (!framesGroup) return null;
	while (node && node.parentNode !== framesGroup) node = node.parentNode;
	return node || null;
}
function part(frame, tag) { return frame.getElementsByTagName(tag)[0]; }
function tooltip(frame) { var title = part(frame, "title"); return title ? title.textContent : ""; }
function attr(element, name) { return parseFloat(element.getAttribute(name)); }
function original(element, name) {
	var saved = element.getAttribute("_orig_" + name);
	return saved !== null ? saved : element.getAttribute(name);
}
function remember(element, name, value) {
	if (!element.hasAttribute("_orig_" + name)) element.setAttribute("_orig_" + name, value);
}
function restore(element, name) {
	var saved = element.getAttribute("_orig_" + name);
	if (saved === null) return;
	if (name === "text") element.textContent = saved; else element.setAttribute(name, saved);
	element.removeAttribute("_orig_" + name);
}
// Deeper frames sit higher in a flame graph and lower in an icicle graph.
function deeper(y, than) { return fg.inverted ? y > than : y < than; }
function frameAt(x, y) {
	var list = frameList();
	for (var i = 0; i < list.length; i++) {
		var rect = part(list[i], "rect");
		if (rect && rect.getAttribute("x") === x && rect.getAttribute("y") === y) return list[i];
	}
	return null;
}
function rootFrame() {
	var list = frameList(), root = null, rootY = 0;
	for (var i = 0; i < list.length; i++) {
		var y = attr(part(list[i], "rect"), "y");
		if (root === null || deeper(rootY, y)) { root = list[i]; rootY = y; }
	}
	return root;
}

// Zoom: the target and its descendants stretch to the full width, ancestors span it dimmed, the rest hides.
function zoom(target) {
	if (target === rootFrame()) { resetZoom(); return; }
	var rect = part(target, "rect");
	var left = parseFloat(original(rect, "x")), span = parseFloat(original(rect, "width"));
	var right = left + span, level = attr(rect, "y");
	var scale = (fg.width - 2 * fg.xpad) / span;
	var list = frameList();
	for (var i = 0; i < list.length; i++) {
		var frame = list[i], box = part(frame, "rect"), label = part(frame, "text");
		var x = parseFloat(original(box, "x")), width = parseFloat(original(box, "width")), y = attr(box, "y");
		remember(box, "x", box.getAttribute("x"));
		remember(box, "width", box.getAttribute("width"));
		remember(label, "x", label.getAttribute("x"));
		remember(label, "text", label.textContent);
		frame.classList.remove("parent", "hide");
		if (frame === target || (deeper(y, level) && x >= left - EPSILON && x + width <= right + EPSILON)) {
			place(frame, box, label, fg.xpad + (x - left) * scale, width * scale);
		} else if (deeper(level, y) && x <= left + EPSILON && x + width >= right - EPSILON) {
			frame.classList.add("parent");
			place(frame, box, label, fg.xpad, fg.width - 2 * fg.xpad);
		} else {
			frame.classList.add("hide");
		}
	}
	unzoomButton.classList.remove("hide");
	setParams({ x: rect.getAttribute("_orig_x"), y: rect.getAttribute("y") });
	if (searchTerm !== null) search(searchTerm);
}
function place(frame, box, label, x, width) {
	box.setAttribute("x", x.toFixed(2));
	box.setAttribute("width", width.toFixed(2));
	label.setAttribute("x", (x + 3).toFixed(2));
	fitLabel(label, tooltip(frame).replace(/\s*\([^(]*\)$/, ""), width - 3);
}
function resetZoom() {
	var list = frameList();
	for (var i = 0; i < list.length; i++) {
		var frame = list[i], box = part(frame, "rect"), label = part(frame, "text");
		frame.classList.remove("parent", "hide");
		restore(box, "x");
		restore(box, "width");
		restore(label, "x");
		restore(label, "text");
	}
	unzoomButton.classList.add("hide");
	setParams({ x: null, y: null });
	if (searchTerm !== null) search(searchTerm);
}

// Labels: the longest prefix of the name, ending in "..", that fits the box as the browser measures it.
function fitLabel(label, name, available) {
	var charWidth = fg.fontSize * fg.fontWidth;
	if (available < 2 * charWidth) { label.textContent = ""; return; }
	label.textContent = name;
	if (measure(label, name.length, charWidth) <= available) return;
	var room = available - charWidth, low = 0, high = name.length - 1;
	while (low < high) {
		var middle = Math.ceil((low + high) / 2);
		if (measure(label, middle, charWidth) <= room) low = middle; else high = middle - 1;
	}
	if (/[\ud800-\udbff]$/.test(name.slice(0, low))) low--;
	label.textContent = low > 0 ? name.slice(0, low) + ".." : "";
}
function measure(label, chars, charWidth) {
	if (chars === 0) return 0;
	if (typeof label.getSubStringLength === "function") {
		try { return label.getSubStringLength(0, chars); } catch (e) { /* not rendered: estimate */ }
	}
	return chars * charWidth;
}

// Search: frames whose tooltip matches turn magenta; the share counts nested matches once.
function search(term) {
	var pattern;
	try {
		pattern = new RegExp(term, ignoreCase ? "i" : "");
	} catch (e) {
		matchedText.nodeValue = "Invalid regular expression";
		return;
	}
	searchTerm = term;
	var list = frameList(), spans = [];
	for (var i = 0; i < list.length; i++) {
		var box = part(list[i], "rect");
		if (pattern.test(tooltip(list[i]))) {
			remember(box, "fill", box.getAttribute("fill"));
			box.setAttribute("fill", SEARCH_FILL);
			spans.push([parseFloat(original(box, "x")), parseFloat(original(box, "width"))]);
		} else {
			restore(box, "fill");
		}
	}
	searchButton.classList.add("show");
	searchButton.firstChild.nodeValue = "Reset Search";
	var root = rootFrame();
	var share = root ? 100 * coveredWidth(spans) / parseFloat(original(part(root, "rect"), "width")) : 0;
	matchedText.nodeValue = "Matched: " + (Math.abs(share - 100) < 1e-9 ? "100" : share.toFixed(1)) + "%";
	setParams({ s: term });
}
function coveredWidth(spans) {
	spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
	var covered = 0, end = -Infinity;
	for (var i = 0; i < spans.length; i++) {
		if (spans[i][0] < end - EPSILON) continue; // inside a match already counted
		covered += spans[i][1];
		end = spans[i][0] + spans[i][1];
	}
	return covered;
}
function resetSearch() {
	var list = frameList();
	for (var i = 0; i < list.length; i++) restore(part(list[i], "rect"), "fill");
	searchTerm = null;
	searchButton.classList.remove("show");
	searchButton.firstChild.nodeValue = "Search";
	matchedText.nodeValue = " ";
	setParams({ s: null });
}
function promptSearch() {
	if (searchTerm !== null) { resetSearch(); return; }
	var term = window.prompt("Search frames by regular expression, e.g. ^take_gil" +
		(ignoreCase ? " (ignoring case)" : "") + "\nCtrl-I toggles case sensitivity", "");
	if (term) search(term);
}
function toggleIgnoreCase() {
	ignoreCase = !ignoreCase;
	if (ignoreCase) caseButton.classList.add("show"); else caseButton.classList.remove("show");
	if (searchTerm !== null) search(searchTerm);
}

// URL state: decodeURIComponent, not URLSearchParams, so that a "+" in a regex stays a "+".
function readParams() {
	var params = {}, query = window.location.search.replace(/^\?/, "");
	if (query === "") return params;
	var pairs = query.split("&");
	for (var i = 0; i < pairs.length; i++) {
		var equals = pairs[i].indexOf("=");
		if (equals <= 0) continue;
		try {
			params[decodeURIComponent(pairs[i].slice(0, equals))] = decodeURIComponent(pairs[i].slice(equals + 1));
		} catch (e) { /* malformed escape: ignore the pair */ }
	}
	return params;
}
function setParams(changes) {
	var params = readParams();
	for (var key in changes) {
		if (changes[key] === null) delete params[key]; else params[key] = changes[key];
	}
	var query = Object.keys(params).map(function (name) {
		return encodeURIComponent(name) + "=" + encodeURIComponent(params[name]);
	}).join("&");
	try {
		window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
	} catch (e) { /* e.g. a sandboxed viewer: the view just is not in the URL */ }
}

window.addEventListener("click", function (event) {
	var frame = frameOf(event.target);
	if (frame) {
		// Links from --nameattr keep working; Ctrl-click zooms instead.
		if (frame.nodeName.toLowerCase() === "a") {
			if (!event.ctrlKey) return;
			event.preventDefault();
		}
		zoom(frame);
		return;
	}
	var id = event.target && event.target.id;
	if (id === "unzoom") resetZoom();
	else if (id === "search") promptSearch();
	else if (id === "ignorecase") toggleIgnoreCase();
}, false);
window.addEventListener("mouseover", function (event) {
	var frame = frameOf(event.target);
	if (frame && detailsText) detailsText.nodeValue = fg.nameType + " " + tooltip(frame);
}, false);
window.addEventListener("mouseout", function (event) {
	if (frameOf(event.target) && detailsText) detailsText.nodeValue = " ";
}, false);
window.addEventListener("keydown", function (event) {
	var key = event.key, code = event.keyCode;
	if (key === "F3" || code === 114 || (event.ctrlKey && (key === "f" || key === "F" || code === 70))) {
		event.preventDefault();
		promptSearch();
	} else if (event.ctrlKey && (key === "i" || key === "I" || code === 73)) {
		event.preventDefault();
		toggleIgnoreCase();
	}
}, false);
`;
}
