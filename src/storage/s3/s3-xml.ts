// The few S3 XML documents strata reads and writes: a ListObjectsV2 page, a DeleteObjects request and its answer,
// and an error. They are flat and fixed, so each field is found by its element name; text is unescaped once.

export interface ListedKey {
  /** The full key (prefix included), URL-decoded. */
  readonly key: string;
  readonly size: number;
  readonly modified: Date;
  readonly etag: string;
}

export interface ListPage {
  readonly keys: readonly ListedKey[];
  /** The token of the next page, or null on the last one. */
  readonly next: string | null;
}

export interface S3ErrorBody {
  readonly code: string | null;
  readonly message: string | null;
  /** The bucket's own region, when a request went to the wrong one. */
  readonly region: string | null;
}

export interface DeleteFailure {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data with its entities and character references replaced. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

const ESCAPES: Record<string, string> = Object.fromEntries(Object.entries(ENTITIES).map(([name, c]) => [c, `&${name};`]));

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The inner text of each `<name>` element of `xml` (elements of that name are never nested in these documents). */
function elements(xml: string, name: string): string[] {
  const found: string[] = [];
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}(?:\\s[^>]*)?/>`, 'g');
  for (const match of xml.matchAll(pattern)) found.push(match[1] ?? '');
  return found;
}

function first(xml: string, name: string): string | null {
  const text = elements(xml, name)[0];
  return text === undefined ? null : unescapeXml(text);
}

/**
 * A ListObjectsV2 page asked for with `encoding-type=url`: keys come percent-encoded (AWS writes a space as '+' and
 * a real '+' as %2B; Ceph a space as %20), so a key with any character survives the XML.
 */
export function parseListPage(xml: string): ListPage {
  // A server that ignored encoding-type=url says so by leaving EncodingType out: its keys are as they are.
  const decode = first(xml, 'EncodingType') === 'url' ? (key: string) => decodeURIComponent(key.replace(/\+/g, ' ')) : (key: string) => key;
  const keys = elements(xml, 'Contents').map((block): ListedKey => {
    const key = first(block, 'Key');
    const size = Number(first(block, 'Size'));
    const modified = new Date(first(block, 'LastModified') ?? '');
    if (key === null || !Number.isSafeInteger(size) || Number.isNaN(modified.getTime())) {
      throw new Error(`a listing entry lacks its Key, Size or LastModified: ${block.slice(0, 200)}`);
    }
    return { key: decode(key), size, modified, etag: unquoteEtag(first(block, 'ETag') ?? '') };
  });
  const truncated = first(xml, 'IsTruncated') === 'true';
  const next = first(xml, 'NextContinuationToken');
  if (truncated && next === null) throw new Error('a listing page says it is truncated but gives no NextContinuationToken');
  return { keys, next: truncated ? next : null };
}

export function parseErrorBody(xml: string): S3ErrorBody {
  return { code: first(xml, 'Code'), message: first(xml, 'Message'), region: first(xml, 'Region') };
}

/** A quiet DeleteObjects request: the answer lists only the keys that could not be deleted. */
export function deleteRequestBody(keys: readonly string[]): string {
  const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${objects}</Delete>`;
}

export function parseDeleteFailures(xml: string): DeleteFailure[] {
  return elements(xml, 'Error').map((block) => ({
    key: first(block, 'Key') ?? '',
    code: first(block, 'Code') ?? '',
    message: first(block, 'Message') ?? '',
  }));
}

/** An ETag as S3 sends it, `"9b2c..."` (in a header or, escaped, in XML), without its quotes. */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^(W\/)?"(.*)"$/, '$2');
}
