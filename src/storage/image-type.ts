/** The cover formats we accept, named as `sharp` names them. */
export const IMAGE_TYPES = ['png', 'jpeg', 'gif', 'webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

const ascii = (text: string) => Buffer.from(text, 'latin1');

const SIGNATURES: ReadonlyArray<{ type: ImageType; parts: ReadonlyArray<{ offset: number; bytes: Buffer }> }> = [
  { type: 'png', parts: [{ offset: 0, bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) }] },
  { type: 'jpeg', parts: [{ offset: 0, bytes: Buffer.from([0xff, 0xd8, 0xff]) }] },
  { type: 'gif', parts: [{ offset: 0, bytes: ascii('GIF87a') }] },
  { type: 'gif', parts: [{ offset: 0, bytes: ascii('GIF89a') }] },
  // RIFF, then the 4-byte chunk size, then WEBP.
  {
    type: 'webp',
    parts: [
      { offset: 0, bytes: ascii('RIFF') },
      { offset: 8, bytes: ascii('WEBP') },
    ],
  },
];

/**
 * The image type from the file's first bytes (its magic number), never from its name or declared type.
 * Returns null for anything else (SVG, HTML, PDF, TIFF, HEIC...). Our own few lines rather than the
 * `file-type` package, which is ESM-only and silently fails under Jest (see docs/architecture.md section 4).
 */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const match = SIGNATURES.find(({ parts }) =>
    parts.every(({ offset, bytes: expected }) => data.subarray(offset, offset + expected.length).equals(expected)),
  );
  return match?.type ?? null;
}
