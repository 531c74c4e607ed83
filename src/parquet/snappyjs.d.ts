// Types for snappyjs (a pure-JS Snappy block compressor), which ships none. strata uses its compressor itself,
// which writes into a buffer it is given (the package's `compress` allocates a zeroed buffer of the largest
// possible size on every call, then copies the result out of it).
declare module 'snappyjs/snappy_compressor.js' {
  export class SnappyCompressor {
    constructor(input: Uint8Array);
    maxCompressedLength(): number;
    /** Compresses into `out` (at least maxCompressedLength() long; every byte it returns is written): the length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
