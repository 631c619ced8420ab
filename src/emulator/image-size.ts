// An image's width and height from the header of its base64 data (PNG, JPEG, GIF, WebP), without decoding pixels.
// Only the start of the data is decoded, except for a JPEG whose frame header comes after large metadata.

export interface ImageSize {
  width: number;
  height: number;
}

/** Enough for every format's header except a JPEG's behind big EXIF or ICC segments (multiple of 4). */
const HEAD_CHARS = 4096;

function png(b: Buffer): ImageSize | undefined {
  // Signature (8), IHDR length (4), "IHDR" (4), then width and height as 32-bit big-endian.
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function gif(b: Buffer): ImageSize | undefined {
  if (b.length < 10 || b.toString('latin1', 0, 4) !== 'GIF8') return undefined;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function webp(b: Buffer): ImageSize | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') {
    return undefined;
  }
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

/** The first start-of-frame segment's size, or 'truncated' when the data ends before one. */
function jpeg(b: Buffer): ImageSize | 'truncated' | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 > b.length) return 'truncated';
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    }
    i += 2 + length;
  }
  return 'truncated';
}

/** The size an image's base64 data declares, or undefined when it is none of the four formats (or cut short). */
export function imageSizeOf(base64: string): ImageSize | undefined {
  const head = Buffer.from(base64.slice(0, HEAD_CHARS), 'base64');
  const found = png(head) ?? gif(head) ?? webp(head);
  if (found) return found;
  let size = jpeg(head);
  if (size === 'truncated' && base64.length > HEAD_CHARS) size = jpeg(Buffer.from(base64, 'base64'));
  return typeof size === 'object' ? size : undefined;
}
