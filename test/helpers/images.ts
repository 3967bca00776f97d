import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Every image the tests upload or store, in one place: ordinary covers in each accepted format, cover art
 * for the browser suites, and bad images (bytes that are not an image, an upload over the limit, and the
 * decompression bombs of hostile-images.ts, re-exported here; that file stays where it is because the
 * unit tests under src/ import it).
 */
export { interlacedDeep, png, type PngSpec, scanlineBytes, smallCover, tallStrip, wideStrip } from './hostile-images';

export type CoverFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** A cover of one colour in any accepted format, made with sharp. */
export function solidImage(format: CoverFormat, width: number, height: number, background: sharp.Color): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer();
}

/** The end-to-end suites' usual cover: a 60 x 90 PNG (another size for a replacement). */
export function pngCover(width = 60, height = 90): Promise<Buffer> {
  return solidImage('png', width, height, { r: 200, g: 80, b: 40 });
}

/** Cover art without text (no fonts needed): a coloured board with a few bands, as a PNG. */
export function coverPng(colour: string, size = { width: 240, height: 360 }): Promise<Buffer> {
  const { width, height } = size;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="${colour}"/>` +
    `<rect x="0" y="${height * 0.18}" width="100%" height="${height * 0.04}" fill="#fff" fill-opacity=".55"/>` +
    `<rect x="${width * 0.15}" y="${height * 0.3}" width="${width * 0.7}" height="${height * 0.05}" rx="4" fill="#fff" fill-opacity=".85"/>` +
    `<rect x="${width * 0.25}" y="${height * 0.39}" width="${width * 0.5}" height="${height * 0.035}" rx="4" fill="#fff" fill-opacity=".6"/>` +
    `<circle cx="${width / 2}" cy="${height * 0.68}" r="${width * 0.18}" fill="none" stroke="#fff" stroke-opacity=".7" stroke-width="6"/>` +
    `<rect x="0" y="${height * 0.9}" width="100%" height="${height * 0.04}" fill="#000" fill-opacity=".2"/>` +
    `</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** `coverPng` written to a file of its own, for a browser's `setInputFiles`. Call `remove` when done. */
export async function writeCoverPng(colour = '#2f6f9f', size = { width: 240, height: 360 }): Promise<{ path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-cover-'));
  const path = join(dir, 'cover.png');
  writeFileSync(path, await coverPng(colour, size));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An HTML page with a script: what a cover named cover.jpg must not be taken for. */
export function htmlNotAnImage(): Buffer {
  return Buffer.from('<html><script>alert(1)</script></html>');
}

/** One byte over the 8 MiB upload limit (zeros: the size is refused before anything looks at the bytes). */
export function overUploadLimit(): Buffer {
  return Buffer.alloc(8 * 1024 * 1024 + 1, 0);
}
