// Thrift's compact protocol, write side only: the encoding of Parquet's page headers and file metadata.
// Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
//
// A struct is written as a list of [field id, value] pairs; values are typed by the small union below, so the
// metadata builders in encode-parquet.ts read like the Thrift IDL they follow.

export type ThriftValue =
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number | bigint }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'byte'; readonly v: number }
  | { readonly t: 'binary'; readonly v: Uint8Array | string }
  | { readonly t: 'struct'; readonly v: ThriftStruct }
  | { readonly t: 'list'; readonly of: 'i32' | 'binary' | 'struct'; readonly v: readonly (number | string | ThriftStruct)[] };

/** Fields in increasing id order; undefined values are left out (optional fields not set). */
export type ThriftStruct = readonly (readonly [number, ThriftValue | undefined])[];

export const i32 = (v: number): ThriftValue => ({ t: 'i32', v });
export const i64 = (v: number | bigint): ThriftValue => ({ t: 'i64', v });
export const bool = (v: boolean): ThriftValue => ({ t: 'bool', v });
export const byte = (v: number): ThriftValue => ({ t: 'byte', v });
export const binary = (v: Uint8Array | string): ThriftValue => ({ t: 'binary', v });
export const struct = (v: ThriftStruct): ThriftValue => ({ t: 'struct', v });
export const list = (of: 'i32' | 'binary' | 'struct', v: readonly (number | string | ThriftStruct)[]): ThriftValue => ({ t: 'list', of, v });

const TYPE = { bool: 1, byte: 3, i32: 5, i64: 6, binary: 8, list: 9, struct: 12 } as const;
const encoder = new TextEncoder();

/** A growing byte buffer. */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Unsigned varint of a non-negative number below 2^53. */
  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }
  varintBig(n: bigint): void {
    while (n >= 0x80n) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }
}

function zigzag(out: Bytes, v: number | bigint): void {
  if (typeof v === 'bigint') {
    out.varintBig(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  } else {
    out.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
}

function writeValue(out: Bytes, value: ThriftValue): void {
  switch (value.t) {
    case 'i32':
    case 'i64':
      zigzag(out, value.v);
      return;
    case 'byte':
      out.byte(value.v & 0xff);
      return;
    case 'binary': {
      const bytes = typeof value.v === 'string' ? encoder.encode(value.v) : value.v;
      out.varint(bytes.length);
      out.bytes(bytes);
      return;
    }
    case 'struct':
      writeStruct(out, value.v);
      return;
    case 'list': {
      const size = value.v.length;
      const elem = TYPE[value.of];
      if (size < 15) out.byte((size << 4) | elem);
      else {
        out.byte(0xf0 | elem);
        out.varint(size);
      }
      for (const item of value.v) {
        if (value.of === 'struct') writeStruct(out, item as ThriftStruct);
        else if (value.of === 'i32') zigzag(out, item as number);
        else writeValue(out, binary(item as string));
      }
      return;
    }
    case 'bool':
      throw new Error('a bool is written in its field header');
  }
}

function writeStruct(out: Bytes, fields: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of fields) {
    if (value === undefined) continue;
    const type = value.t === 'bool' ? (value.v ? 1 : 2) : TYPE[value.t];
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | type);
    else {
      out.byte(type);
      zigzag(out, id);
    }
    if (value.t !== 'bool') writeValue(out, value);
    last = id;
  }
  out.byte(0);
}

/** The compact-protocol bytes of one struct. */
export function encodeStruct(fields: ThriftStruct): Uint8Array {
  const out = new Bytes();
  writeStruct(out, fields);
  return out.buf.subarray(0, out.length);
}
