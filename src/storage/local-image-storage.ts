import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { assertWritableCover, COVER_CONTENT_TYPE, isCoverKey } from './cover-key';
import { ImageStorage, StoredImage } from './image-storage';

/**
 * Covers as files in `UPLOAD_DIR`, served by `CoversController` at `/covers/{key}`.
 * For one machine (or a shared volume); several instances need the Cloud Storage adapter.
 */
@Injectable()
export class LocalImageStorage extends ImageStorage implements OnModuleInit {
  private readonly dir: string;

  constructor(config: AppConfig) {
    super();
    this.dir = resolve(config.uploadDir);
  }

  /** Creates the folder at start, so that an unwritable `UPLOAD_DIR` stops the app instead of the first upload. */
  async onModuleInit(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await access(this.dir, constants.W_OK);
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    assertWritableCover(key, contentType);
    // Write beside the target and rename: a reader sees the whole file or none, never half of one.
    // The dot prefix keeps temporary files out of the key pattern, so they can never be served.
    const temp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    try {
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, join(this.dir, key));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<StoredImage | null> {
    if (!isCoverKey(key)) return null;
    let file: FileHandle;
    try {
      file = await open(join(this.dir, key), 'r');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    try {
      // Stat the open file, not the path: a concurrent delete cannot make size and body disagree.
      const { size } = await file.stat();
      return { body: file.createReadStream(), contentType: COVER_CONTENT_TYPE, size };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    if (!isCoverKey(key)) return; // nothing can be stored under such a key
    try {
      await unlink(join(this.dir, key));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async url(key: string): Promise<string> {
    if (!isCoverKey(key)) throw new Error(`Not a cover key: ${JSON.stringify(key)}`);
    return `/covers/${key}`;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
