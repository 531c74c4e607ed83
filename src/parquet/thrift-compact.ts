// A Thrift compact-protocol writer for Parquet's footer and page headers, into one growable byte buffer.
// Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

export const T_TRUE = 1;
export const T_FALSE = 2;
export const T_I32 = 5;
export const T_I64 = 6;
export const T_BINARY = 8;
export const T_LIST = 9;
export const T_STRUCT = 12;

const encoder = new TextEncoder();
const encoded = new Map<string, Uint8Array>();

/** The UTF-8 bytes of a name (the same column names recur in every file: each is encoded once). */
export function utf8Bytes(text: string): Uint8Array {
  let bytes = encoded.get(text);
  if (bytes === undefined) {
    if (encoded.size >= 10_000) encoded.clear();
    bytes = encoder.encode(text);
    encoded.set(text, bytes);
  }
  return bytes;
}

/**
 * Writes `value` (a whole number >= 0 below 2^53) as an unsigned LEB128 varint at `at`, as Thrift's compact
 * protocol and Parquet's RLE/bit-packed hybrid headers both spell it; returns the end.
 */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** Bytes written in order; fields of nested structs track their previous field id on a stack. */
export class ThriftWriter {
  bytes = new Uint8Array(4096);
  length = 0;
  private lastField = 0;
  private readonly stack: number[] = [];

  reset(): void {
    this.length = 0;
    this.lastField = 0;
    // Empty after every whole struct; setting an array's length is a call into the runtime even when it changes nothing.
    if (this.stack.length !== 0) this.stack.length = 0;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  varint(value: number): void {
    this.ensure(10);
    this.length = writeVarint(this.bytes, this.length, value);
  }

  varintBig(value: bigint): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.bytes[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.length++] = Number(v);
  }

  fieldHeader(id: number, type: number): void {
    const delta = id - this.lastField;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.varint(id >= 0 ? id * 2 : -id * 2 - 1);
    }
    this.lastField = id;
  }

  i32(id: number, value: number): void {
    this.fieldHeader(id, T_I32);
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  i64(id: number, value: number | bigint): void {
    this.fieldHeader(id, T_I64);
    // Offsets, sizes and counts are small numbers: zigzag them as numbers (exact below 2^52), without a BigInt.
    if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 51) {
      this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
      return;
    }
    const v = BigInt(value);
    this.varintBig(v >= 0n ? v * 2n : -v * 2n - 1n);
  }

  bool(id: number, value: boolean): void {
    this.fieldHeader(id, value ? T_TRUE : T_FALSE);
  }

  binary(id: number, value: Uint8Array): void {
    this.fieldHeader(id, T_BINARY);
    this.rawBinary(value);
  }

  string(id: number, value: string): void {
    this.binary(id, utf8Bytes(value));
  }

  rawBinary(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.bytes.set(value, this.length);
    this.length += value.length;
  }

  listHeader(id: number, elementType: number, size: number): void {
    this.fieldHeader(id, T_LIST);
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  /** A list element that is an i32 (no field header). */
  rawI32(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  beginStruct(id: number): void {
    if (id > 0) this.fieldHeader(id, T_STRUCT);
    this.stack.push(this.lastField);
    this.lastField = 0;
  }

  endStruct(): void {
    this.byte(0);
    this.lastField = this.stack.pop() ?? 0;
  }
}
