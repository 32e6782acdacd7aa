/** Default titles of the pictures, in a module of their own so the command line can show them without loading a renderer. */
export const DEFAULT_HTML_TITLE = 'Off-GIL Time Flame Graph';
export const DEFAULT_DIFF_TITLE = 'Off-GIL differential flame graph';
