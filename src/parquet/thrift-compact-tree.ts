// Reads any Thrift compact-protocol struct into a tree that keeps every field, known or not, and writes it back
// byte for byte: what a footer written by another program (DuckDB, PyArrow) holds survives when strata moves its
// row groups (append-row-groups.ts). Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

export const TT = {
  true: 1,
  false: 2,
  byte: 3,
  i16: 4,
  i32: 5,
  i64: 6,
  double: 7,
  binary: 8,
  list: 9,
  set: 10,
  map: 11,
  struct: 12,
} as const;

/** A value as its type reads it: integers up to i32 and doubles as numbers, i64 as bigint, lists and maps with their element types. */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftMap | ThriftStruct;

export interface ThriftField {
  readonly id: number;
  readonly type: number;
  value: ThriftValue;
}

/** A struct's fields in the order they were read (written back in that order). */
export type ThriftStruct = ThriftField[];

export interface ThriftList {
  readonly elementType: number;
  readonly items: ThriftValue[];
}

export interface ThriftMap {
  readonly keyType: number;
  readonly valueType: number;
  readonly entries: (readonly [ThriftValue, ThriftValue])[];
}

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error('thrift: the struct ends before its last field');
    return this.bytes[this.at++]!;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('thrift: a varint longer than 10 bytes');
    }
  }

  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  value(type: number): ThriftValue {
    switch (type) {
      case TT.true:
        return true;
      case TT.false:
        return false;
      case TT.byte:
        return (this.byte() << 24) >> 24;
      case TT.i16:
      case TT.i32:
        return Number(this.zigzag());
      case TT.i64:
        return this.zigzag();
      case TT.double: {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 8);
        this.at += 8;
        return view.getFloat64(0, true);
      }
      case TT.binary: {
        const length = Number(this.varint());
        if (this.at + length > this.bytes.length) throw new Error('thrift: a binary value runs past the end');
        const value = this.bytes.slice(this.at, this.at + length);
        this.at += length;
        return value;
      }
      case TT.list:
      case TT.set: {
        const head = this.byte();
        const size = (head >> 4) === 15 ? Number(this.varint()) : head >> 4;
        const elementType = head & 0x0f;
        const items: ThriftValue[] = [];
        // A boolean element is one byte of its own (1 true, else false), not a field header's type.
        for (let i = 0; i < size; i++) items.push(elementType === TT.true || elementType === TT.false ? this.byte() === TT.true : this.value(elementType));
        return { elementType, items };
      }
      case TT.map: {
        const size = Number(this.varint());
        if (size === 0) return { keyType: 0, valueType: 0, entries: [] };
        const types = this.byte();
        const keyType = types >> 4;
        const valueType = types & 0x0f;
        const entries: (readonly [ThriftValue, ThriftValue])[] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(keyType), this.value(valueType)]);
        return { keyType, valueType, entries };
      }
      case TT.struct:
        return this.struct();
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  struct(): ThriftStruct {
    const fields: ThriftStruct = [];
    let last = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return fields;
      const type = head & 0x0f;
      const delta = head >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.push({ id, type, value: this.value(type) });
    }
  }
}

/** Reads the struct that starts at `start`; returns it and where it ends. */
export function readThriftStruct(bytes: Uint8Array, start = 0): { readonly struct: ThriftStruct; readonly end: number } {
  const reader = new Reader(bytes);
  reader.at = start;
  const struct = reader.struct();
  return { struct, end: reader.at };
}

class Writer {
  private bytes = new Uint8Array(1024);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value & 0xff;
  }

  varint(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  zigzag(value: bigint, bits: bigint): void {
    this.varint(BigInt.asUintN(Number(bits), (value << 1n) ^ (value >> (bits - 1n))));
  }

  value(type: number, value: ThriftValue): void {
    switch (type) {
      case TT.true:
      case TT.false:
        return; // a field's boolean is its header's type
      case TT.byte:
        return this.byte(value as number);
      case TT.i16:
      case TT.i32:
        return this.zigzag(BigInt(value as number), 32n);
      case TT.i64:
        return this.zigzag(value as bigint, 64n);
      case TT.double: {
        this.ensure(8);
        new DataView(this.bytes.buffer, this.length, 8).setFloat64(0, value as number, true);
        this.length += 8;
        return;
      }
      case TT.binary: {
        const bytes = value as Uint8Array;
        this.varint(BigInt(bytes.length));
        this.ensure(bytes.length);
        this.bytes.set(bytes, this.length);
        this.length += bytes.length;
        return;
      }
      case TT.list:
      case TT.set: {
        const { elementType, items } = value as ThriftList;
        if (items.length < 15) this.byte((items.length << 4) | elementType);
        else {
          this.byte(0xf0 | elementType);
          this.varint(BigInt(items.length));
        }
        for (const item of items) {
          if (elementType === TT.true || elementType === TT.false) this.byte(item === true ? TT.true : TT.false);
          else this.value(elementType, item);
        }
        return;
      }
      case TT.map: {
        const { keyType, valueType, entries } = value as ThriftMap;
        this.varint(BigInt(entries.length));
        if (entries.length === 0) return;
        this.byte((keyType << 4) | valueType);
        for (const [k, v] of entries) {
          this.value(keyType, k);
          this.value(valueType, v);
        }
        return;
      }
      case TT.struct:
        return this.struct(value as ThriftStruct);
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  struct(fields: ThriftStruct): void {
    let last = 0;
    for (const field of fields) {
      const type = field.type === TT.true || field.type === TT.false ? (field.value === true ? TT.true : TT.false) : field.type;
      const delta = field.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(field.id), 16n);
      }
      last = field.id;
      this.value(type, field.value);
    }
    this.byte(0);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export function writeThriftStruct(struct: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writer.struct(struct);
  return writer.result();
}

/** The field with this id, if the struct has it. */
export function fieldOf(struct: ThriftStruct, id: number): ThriftField | undefined {
  return struct.find((f) => f.id === id);
}
