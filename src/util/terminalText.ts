/**
 * Text from the input is printed in messages on a terminal: its control characters — C0 but the
 * newline, DEL, and C1 (U+0080–U+009F, where U+009B is a CSI that starts terminal escape sequences) —
 * are shown as `\xNN` / `\u00NN` escapes instead.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROLS, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
