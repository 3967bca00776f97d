import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppConfig, StorageBackend } from '../config/app-config';
import { CoverService } from './cover.service';
import { CoversController } from './covers.controller';
import { GcsImageStorage } from './gcs-image-storage';
import { ImageStorage } from './image-storage';
import { LocalImageStorage } from './local-image-storage';

/** Each backend's adapter, and the routes it needs in our app (local covers are served by us). */
const BACKENDS = {
  local: { adapter: LocalImageStorage, controllers: [CoversController] },
  gcs: { adapter: GcsImageStorage, controllers: [] },
} satisfies Record<StorageBackend, { adapter: Type<ImageStorage>; controllers: Type[] }>;

/**
 * Provides the `ImageStorage` port with the adapter `STORAGE_BACKEND` names, and `CoverService`.
 * Expects `AppConfig` from a global module. Neither adapter holds anything to close at shutdown.
 */
@Module({})
export class StorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    const backend = BACKENDS[config.storageBackend];
    return {
      module: StorageModule,
      controllers: backend.controllers,
      providers: [{ provide: ImageStorage, useClass: backend.adapter }, CoverService],
      exports: [ImageStorage, CoverService],
    };
  }
}
