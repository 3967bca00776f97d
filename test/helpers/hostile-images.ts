import { crc32, createDeflate } from 'node:zlib';

/**
 * Valid PNGs of all-black pixels, built without an image library so that tests can declare any size:
 * tiny files whose decoding would cost hundreds of megabytes or seconds of CPU.
 * (`zlib.crc32` exists from Node 20.15; package.json asks for 20.19.)
 */
export interface PngSpec {
  width: number;
  height: number;
  bitDepth: 1 | 8 | 16;
  /** 0 grey, 2 RGB, 4 grey + alpha, 6 RGBA. */
  colourType: 0 | 2 | 4 | 6;
  interlaced?: boolean;
}

const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 } as const;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Adam7: [first column, first row, column step, row step] of each of the 7 passes.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The length of the filtered scanlines: each row is a filter byte, then its packed samples. */
export function scanlineBytes(spec: PngSpec): number {
  const bitsPerPixel = CHANNELS[spec.colourType] * spec.bitDepth;
  const rows = (width: number, height: number) => (width === 0 ? 0 : height * (1 + Math.ceil((width * bitsPerPixel) / 8)));
  if (!spec.interlaced) return rows(spec.width, spec.height);
  // Each pass is a small image of its own; an empty pass has no rows at all (not even filter bytes).
  return ADAM7.reduce(
    (total, [x0, y0, dx, dy]) =>
      total + rows(Math.max(0, Math.ceil((spec.width - x0) / dx)), Math.max(0, Math.ceil((spec.height - y0) / dy))),
    0,
  );
}

/** The PNG: signature, IHDR, one IDAT of deflated scanlines (filter 0, zero samples: black), IEND. */
export async function png(spec: PngSpec): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(spec.width, 0);
  header.writeUInt32BE(spec.height, 4);
  header[8] = spec.bitDepth;
  header[9] = spec.colourType;
  header[12] = spec.interlaced ? 1 : 0; // compression [10] and filter method [11] are 0, the only ones
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', await deflateZeros(scanlineBytes(spec))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Streams, so that 300 MB of scanlines never sit in the test's memory. */
async function deflateZeros(length: number): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (data: Buffer) => out.push(data));
  const done = new Promise<void>((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  for (let left = length; left > 0; left -= zeros.length) {
    if (!deflate.write(zeros.subarray(0, Math.min(left, zeros.length)))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** 40,000,000 x 1 greyscale (~39 KB): decoding it raised a process's RSS by about 300 MB. */
export const wideStrip = () => png({ width: 40_000_000, height: 1, bitDepth: 8, colourType: 0 });

/** 1 x 40,000,000 greyscale (~78 KB): 9-10 s of CPU to decode. */
export const tallStrip = () => png({ width: 1, height: 40_000_000, bitDepth: 8, colourType: 0 });

/**
 * 6000 x 6000 interlaced 16-bit RGBA (~300 KB), 36 megapixels: libvips must hold all 288 MB of it
 * decoded before it can resize an interlaced PNG.
 */
export const interlacedDeep = () => png({ width: 6000, height: 6000, bitDepth: 16, colourType: 6, interlaced: true });

/** An ordinary small cover: 60 x 90 RGB. */
export const smallCover = () => png({ width: 60, height: 90, bitDepth: 8, colourType: 2 });
