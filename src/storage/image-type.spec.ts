import sharp from 'sharp';
import { detectImageType, IMAGE_TYPES, ImageType } from './image-type';

describe(detectImageType.name, () => {
  const pixel = () => sharp({ create: { width: 2, height: 2, channels: 3, background: '#336699' } });

  it.each(IMAGE_TYPES)('recognises a real %s file by its bytes', async (type: ImageType) => {
    const bytes = await pixel().toFormat(type).toBuffer();
    expect(detectImageType(bytes)).toBe(type);
  });

  it('recognises both GIF versions', () => {
    expect(detectImageType(Buffer.from('GIF87a\x01\x00\x01\x00', 'latin1'))).toBe('gif');
    expect(detectImageType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('gif');
  });

  it('reads a view into a larger buffer from its own start', async () => {
    const png = await pixel().png().toBuffer();
    const padded = Buffer.concat([Buffer.from('junk'), png]);
    expect(detectImageType(padded.subarray(4))).toBe('png');
    expect(detectImageType(new Uint8Array(padded.buffer, padded.byteOffset + 4, png.length))).toBe('png');
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a lone JPEG marker', Buffer.from([0xff, 0xd8])],
    ['a truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')],
    ['an SVG with an XML declaration', Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['an HTML page', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['a PDF', Buffer.from('%PDF-1.7\n')],
    ['a RIFF file that is not WebP (WAV)', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')],
    ['a TIFF', Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00])],
    ['"GIF" without a version', Buffer.from('GIF8')],
  ])('refuses %s', (_name, bytes) => {
    expect(detectImageType(bytes)).toBeNull();
  });

  it('refuses formats sharp can decode but we do not accept', async () => {
    expect(detectImageType(await pixel().tiff().toBuffer())).toBeNull();
    expect(detectImageType(await pixel().avif().toBuffer())).toBeNull();
  });
});
