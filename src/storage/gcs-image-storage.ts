import { Injectable } from '@nestjs/common';
import type { Bucket } from '@google-cloud/storage';
import { AppConfig, CoverUrlMode } from '../config/app-config';
import { assertWritableCover, COVER_CACHE_CONTROL, isCoverKey } from './cover-key';
import { ImageStorage, StoredImage } from './image-storage';

const SIGNED_URL_LIFETIME_MS = 15 * 60_000;
// Signed URLs start at the beginning of the current 5-minute window, so every page view in that window
// gets the same URL and the browser's cache keeps working; each URL stays valid 15 to 20 minutes.
const SIGNING_WINDOW_MS = 5 * 60_000;

/**
 * Covers as objects in the Cloud Storage bucket `CLOUD_STORAGE_BUCKET`.
 *
 * `COVER_URLS` says how a browser reads them:
 * - `public` (default): objects are uploaded with the `publicRead` ACL and linked at
 *   `https://storage.googleapis.com/{bucket}/{key}`. This needs a bucket with fine-grained access
 *   control (ACLs); with uniform bucket-level access every upload is refused, so use `signed` there.
 * - `signed`: objects stay private and each page gets V4 signed URLs. Signing needs a service account
 *   key, or, with metadata-server credentials (App Engine, Cloud Run), the runtime service account's
 *   permission `iam.serviceAccounts.signBlob` on itself (role "Service Account Token Creator").
 */
@Injectable()
export class GcsImageStorage extends ImageStorage {
  private readonly bucket: Bucket;
  private readonly coverUrls: CoverUrlMode;
  private readonly publicOrigin: string;

  constructor(config: AppConfig) {
    super();
    if (!config.cloudStorageBucket) throw new Error('CLOUD_STORAGE_BUCKET is required for Cloud Storage covers');
    // Loaded only when this adapter is chosen: the SDK adds about 200 ms to start-up and 20 MB of memory.
    const { Storage } = require('@google-cloud/storage') as typeof import('@google-cloud/storage');
    const storage = new Storage({
      projectId: config.googleCloudProject,
      // Only emulators set an endpoint; without one the client talks to Google.
      ...(config.storageApiEndpoint ? { apiEndpoint: config.storageApiEndpoint } : {}),
    });
    this.bucket = storage.bucket(config.cloudStorageBucket);
    this.coverUrls = config.coverUrls;
    this.publicOrigin = config.coverOrigin ?? 'https://storage.googleapis.com';
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    assertWritableCover(key, contentType);
    await this.bucket.file(key).save(bytes, {
      contentType,
      metadata: { cacheControl: COVER_CACHE_CONTROL },
      // Covers are small: one request instead of a resumable session.
      resumable: false,
      // Public in the same request as the upload (rather than makePublic() after it): the object is
      // never visible without its ACL, and a refused ACL leaves no object behind.
      ...(this.coverUrls === 'public' ? { predefinedAcl: 'publicRead' } : {}),
    });
  }

  async get(key: string): Promise<StoredImage | null> {
    if (!isCoverKey(key)) return null;
    const file = this.bucket.file(key);
    try {
      const [metadata] = await file.getMetadata();
      return {
        body: file.createReadStream(),
        contentType: metadata.contentType ?? 'application/octet-stream',
        size: metadata.size === undefined ? undefined : Number(metadata.size),
      };
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    if (!isCoverKey(key)) return; // nothing can be stored under such a key
    await this.bucket.file(key).delete({ ignoreNotFound: true });
  }

  async url(key: string): Promise<string> {
    if (!isCoverKey(key)) throw new Error(`Not a cover key: ${JSON.stringify(key)}`);
    if (this.coverUrls === 'public') return `${this.publicOrigin}/${this.bucket.name}/${key}`;
    const windowStart = Math.floor(Date.now() / SIGNING_WINDOW_MS) * SIGNING_WINDOW_MS;
    const [url] = await this.bucket.file(key).getSignedUrl({
      version: 'v4',
      action: 'read',
      accessibleAt: windowStart,
      expires: windowStart + SIGNING_WINDOW_MS + SIGNED_URL_LIFETIME_MS,
    });
    return url;
  }
}
