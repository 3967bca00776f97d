import { Controller, Get, Header, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { COVER_CACHE_CONTROL } from './cover-key';
import { ImageStorage } from './image-storage';

/**
 * Serves covers kept on local disk at the URLs `LocalImageStorage.url` gives. Registered only with that
 * adapter (see `StorageModule`): Cloud Storage covers are read from the bucket, and serving them here
 * too would outlive the expiry of signed URLs.
 */
@Controller('covers')
export class CoversController {
  constructor(private readonly storage: ImageStorage) {}

  @Get(':key')
  // Stored bytes are re-encoded WebP, but a browser must never guess another type for them.
  @Header('X-Content-Type-Options', 'nosniff')
  async cover(@Param('key') key: string, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    // The port answers null for unknown keys and for anything that is not a cover key (`..`, `/`...).
    const image = await this.storage.get(key);
    if (!image) throw new NotFoundException();
    // Set here, not with @Header (which applies before the handler runs): a 404 must not be cached for a year.
    response.setHeader('Cache-Control', COVER_CACHE_CONTROL);
    return new StreamableFile(image.body, { type: image.contentType, length: image.size });
  }
}
