// The XML parts of an .xlsx workbook (a zip), and the few ways to read them: elements by tag, attributes, text.
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';
import { StrataError, messageOf } from '../errors.js';

/**
 * How much a workbook may inflate to: its XML parts are held in memory whole, so a zip bomb (a few MB that
 * inflate to GBs) must be refused before it is inflated. Deflate cannot pass about 1,000 times; real sheets stay
 * far below 200 times once they are large (a small part of repeated rows may reach a few hundred, and is spared).
 */
export const XLSX_INFLATE_LIMITS = {
  /** All the XML parts of one workbook together. */
  maxBytes: 128 * 1024 * 1024,
  /** Inflated bytes per compressed byte, for a part above `ratioFromBytes`. */
  maxRatio: 200,
  ratioFromBytes: 8 * 1024 * 1024,
} as const;

/**
 * Every XML part of the workbook as text, by its path in the zip (`xl/workbook.xml`...). The parts
 * are machine-written SpreadsheetML, so a scan by tag is enough, and faster than fast-xml-parser building a
 * tree or exceljs reading the sheet.
 */
export async function readXmlParts(file: string): Promise<ReadonlyMap<string, string>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  try {
    const parts = new Map<string, string>();
    let inflated = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!/\.(xml|rels)$/.test(entry.fileName)) return zip.readEntry();
        const refusal = inflateProblem(entry, inflated);
        if (refusal !== null) return reject(new StrataError('input', refusal, { part: entry.fileName }));
        // yauzl stops a part that inflates past the size the zip declares, so the check above holds.
        const failed = (error: unknown) => reject(forgedSize(entry, error));
        zip.openReadStream(entry, (error, stream) => {
          if (error) return failed(error);
          buffer(stream).then((bytes) => {
            inflated += bytes.length;
            parts.set(entry.fileName, bytes.toString('utf8'));
            zip.readEntry();
          }, failed);
        });
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    return parts;
  } finally {
    zip.close();
  }
}

/** Why a part must not be inflated (too big with what came before, or inflating too many times), or null. */
function inflateProblem(entry: yauzl.Entry, before: number, limits = XLSX_INFLATE_LIMITS): string | null {
  const size = entry.uncompressedSize;
  const part = `its part ${JSON.stringify(entry.fileName)}`;
  if (before + size > limits.maxBytes) {
    return `${part} would bring the workbook's XML to ${megabytes(before + size)}, more than the ${megabytes(limits.maxBytes)} strata reads of one workbook; refused unread`;
  }
  const ratio = size / Math.max(1, entry.compressedSize);
  if (size > limits.ratioFromBytes && ratio > limits.maxRatio) {
    return `${part} inflates from ${megabytes(entry.compressedSize)} to ${megabytes(size)} (${Math.round(ratio)} times), more than the ${limits.maxRatio} times of any real workbook: a zip bomb, refused unread`;
  }
  return null;
}

/** yauzl's "too many bytes in the stream", said as what it means for a workbook. */
function forgedSize(entry: yauzl.Entry, error: unknown): unknown {
  if (!/too many bytes in the stream/.test(messageOf(error))) return error;
  return new StrataError('input', `its part ${JSON.stringify(entry.fileName)} inflates past the ${entry.uncompressedSize} bytes the zip declares for it: a forged or corrupt workbook, refused`);
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export interface XmlElement {
  /** The text of the start tag after its name: ` r="A1" t="s"`. */
  readonly attributes: string;
  /** What lies between the start and the end tag; '' for `<c/>`. */
  readonly body: string;
}

const patterns = new Map<string, RegExp>();
const attributePatterns = new Map<string, RegExp>();

/** The elements `<tag>` (with or without a namespace prefix) in `xml`, in order; a tag must not nest in itself. */
export function* elements(xml: string, tag: string): Generator<XmlElement> {
  let pattern = patterns.get(tag);
  if (!pattern) {
    pattern = new RegExp(`<(?:\\w+:)?${tag}(?=[\\s/>])([^>]*?)(?:/>|>([\\s\\S]*?)</(?:\\w+:)?${tag}>)`, 'g');
    patterns.set(tag, pattern);
  }
  for (const match of xml.matchAll(pattern)) yield { attributes: match[1] ?? '', body: match[2] ?? '' };
}

/** The first element `<tag>`, or an empty one. */
export const firstElement = (xml: string, tag: string): XmlElement => elements(xml, tag).next().value ?? { attributes: '', body: '' };

/** An attribute's value (entities decoded), or undefined. `name` may carry a prefix (`r:id`). */
export function attribute(element: XmlElement, name: string): string | undefined {
  let pattern = attributePatterns.get(name);
  if (!pattern) {
    pattern = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    attributePatterns.set(name, pattern);
  }
  const match = pattern.exec(element.attributes);
  return match ? decodeEntities(match[1] ?? match[2] ?? '') : undefined;
}

/** The text of every `<t>` in `xml` joined, phonetic guides (`<rPh>`) left out: a shared or inline string. */
export function stringText(xml: string): string {
  const visible = xml.includes('<rPh') ? xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '') : xml;
  return [...elements(visible, 't')].map((t) => decodeEntities(t.body)).join('');
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
  });
}
