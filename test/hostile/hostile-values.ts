// The hostile values the corpus plants, and the marks that show when one got through (a title, a marker text).

/** What every planted script does when it runs: sets the page's title to this (and opens a dialog). */
export const XSS_TITLE = 'XSSFIRED';

/** Text in every file that lies outside the roots a command is given: a sample or a query that shows it read one. */
export const OUTSIDE_MARK = 'OUTSIDE-THE-ROOTS';

/**
 * Markup and script in the forms a page can run them: an element with a handler, a script element, an attribute
 * broken out of with either quote, an SVG with onload, a javascript: URL. None holds a `/` or a `,` (they also
 * name files and CSV columns), nor a `#` (it would start a header line).
 */
export const MARKUP = [
  `<img src=x onerror="document.title='${XSS_TITLE}';alert(1)">`,
  `" autofocus onfocus="document.title='${XSS_TITLE}';alert(3)" x="`,
  `' autofocus onfocus='document.title=\`${XSS_TITLE}\`;alert(4)' x='`,
  `<svg onload="document.title='${XSS_TITLE}';alert(5)">`,
  `javascript:document.title='${XSS_TITLE}';alert(6)`,
] as const;

/** A script element with its real end tag: for values that are not file names (header values, procedures). */
export const SCRIPT_ELEMENT = `<script>document.title='${XSS_TITLE}';alert(7)</script>`;

/** The procedure line of issue 21, item 2, as it was reported: an anchor that focuses itself and runs a handler. */
export const AUTOFOCUS_PROCEDURE = `<a.x" tabindex="1" autofocus onfocus="document['title']='${XSS_TITLE}'" y=">`;
