// strata serve: the page's only way to make DOM nodes. Every value becomes a text node or a checked attribute;
// no HTML string is ever parsed, so nothing a file holds can become markup or script.

const LINK = /^(#\/|\/api\/|blob:)/;
const ATTRIBUTE = /^(aria-[a-z]+|role|tabindex|type|value|name|for|download|placeholder|min|max|step|list|autocomplete|colspan|scope|lang|datetime|rel|target|size|maxlength|inputmode|spellcheck)$/;

/** `href` of a link: a page route (#/...), an API file (/api/...) or a download made here (blob:); never javascript: or another site. */
export function safeHref(href) {
  const text = String(href);
  if (!LINK.test(text)) throw new Error(`strata serve makes links only to its own pages, not to '${text.slice(0, 40)}'`);
  return text;
}

function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(node, c));
  else if (child instanceof Node) node.appendChild(child);
  else node.appendChild(document.createTextNode(String(child)));
}

/**
 * el('a', { href: '#/chips', class: 'x', title: text, data: { runId }, on: { click }, style: { height: '4px' } }, 'text', child)
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = String(value);
    else if (key === 'id') node.id = String(value);
    else if (key === 'title') node.title = String(value);
    else if (key === 'href') node.setAttribute('href', safeHref(value));
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'data') for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === 'style') for (const [k, v] of Object.entries(value)) node.style.setProperty(k, String(v));
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden' || key === 'required' || key === 'open' || key === 'multiple') node[key] = Boolean(value);
    else if (ATTRIBUTE.test(key)) node.setAttribute(key, value === true ? '' : String(value));
    else throw new Error(`strata serve sets no attribute '${key}'`);
  }
  append(node, children);
  return node;
}

/** Replaces a node's children (text or nodes). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A link to one of the page's routes. */
export const link = (route, text, props = {}) => el('a', { ...props, href: route }, text);

/** The route of a chip: by the name the API lists. */
export const chipRoute = (name, rest = '') => `#/chip/${encodeURIComponent(name)}${rest}`;
export const runRoute = (id) => `#/run/${encodeURIComponent(id)}`;

/** Light as words: ☀ light, · dark, ? unknown. */
export const lightText = (v) => (v === true ? '☀ light' : v === false ? '· dark' : '? unknown');

/** Offers a file made in the page (a chart's PNG, SVG or CSV) as a download. */
export function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from any text: letters, digits, `-` and `_` only. */
export const fileSlug = (text) => String(text).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'chart';
