// The parts of an .xlsx workbook (a zip of XML files) that reading one sheet needs, each parsed to plain objects.
import { buffer } from 'node:stream/consumers';
import { XMLParser } from 'fast-xml-parser';
import yauzl from 'yauzl';

/** An XML element as fast-xml-parser gives it: attributes by name, text as `#text`, children by tag. */
export type XmlNode = { readonly [key: string]: unknown };

/** Tags that may repeat: always arrays, even when a workbook holds one. */
const REPEATED = new Set(['sheet', 'Relationship', 'si', 'r', 'row', 'c', 'xf', 'numFmt', 'mergeCell']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && REPEATED.has(tag),
});

/** Every XML part of the workbook, by its path in the zip (`xl/workbook.xml`...); other entries are not read. */
export async function readXmlParts(file: string): Promise<ReadonlyMap<string, XmlNode>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  try {
    const parts = new Map<string, XmlNode>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!/\.(xml|rels)$/.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          buffer(stream).then((bytes) => {
            parts.set(entry.fileName, parser.parse(bytes.toString('utf8')) as XmlNode);
            zip.readEntry();
          }, reject);
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

/** A child element, or an empty one. */
export const child = (node: unknown, tag: string): XmlNode => ((node as XmlNode | undefined)?.[tag] as XmlNode | undefined) ?? {};
/** The repeated children of a tag (see REPEATED). */
export const children = (node: unknown, tag: string): readonly XmlNode[] => ((node as XmlNode | undefined)?.[tag] as XmlNode[] | undefined) ?? [];
/** An attribute, or undefined. */
export const attribute = (node: XmlNode, name: string): string | undefined => (typeof node[name] === 'string' ? (node[name] as string) : undefined);
/** The text of an element written as `<t>x</t>` or `<t xml:space="preserve">x</t>`. */
export const textOf = (node: unknown): string =>
  typeof node === 'string' ? node : typeof (node as XmlNode | undefined)?.['#text'] === 'string' ? ((node as XmlNode)['#text'] as string) : '';
