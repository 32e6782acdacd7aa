/** Escaping for text that profile data puts into the HTML page. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that can sit inside a `<script>` element: with `<`, `>` and `&` as `\u` escapes no `</script>`
 * or `<!--` can end or confuse the element, and U+2028/U+2029 are escaped for older JS parsers.
 * JSON.parse of the element's text gives back the value exactly.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Checks that library source can be an inline `<script>` as is: `</script` would end the element and
 * `<!--` can switch the HTML parser into a state where a later `</script>` does not end it. Rewriting
 * the code is not safe in general, so a library that contains either is refused.
 */
export function inlineScript(source: string): string {
  const bad = /<\/script|<!--/i.exec(source);
  if (bad !== null) throw new Error(`cannot inline a script that contains ${JSON.stringify(bad[0])}`);
  return source;
}
