import { type Datastore, type Key, PropertyFilter } from '@google-cloud/datastore';
import { Inject, Injectable } from '@nestjs/common';
import { DATASTORE_CLIENT } from '../../../database/database-clients';
import { DATASTORE_CALL, GRPC_NOT_FOUND, grpcCode } from '../../../database/datastore/datastore-client';
import type { AccessToken, TokenScope } from '../../access-token';
import { newestFirst, TokensRepository } from '../../tokens.repository';
import { database } from '../database-call';

const KIND = 'AccessToken';

/**
 * An `AccessToken` entity, its key name the token's hash, so that authenticating a request is a lookup
 * by key (strongly consistent, the cheapest read). Only `userId` is queried (a built-in index).
 */
interface TokenEntity {
  id: string;
  userId: string;
  userName: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

const UNINDEXED: (keyof TokenEntity)[] = [
  'id',
  'userName',
  'name',
  'scopes[]' as keyof TokenEntity,
  'prefix',
  'createdAt',
  'lastUsedAt',
  'expiresAt',
];

function toToken(entity: TokenEntity, hash: string): AccessToken {
  return {
    id: entity.id,
    hash,
    userId: entity.userId,
    userName: entity.userName,
    name: entity.name,
    scopes: [...(entity.scopes ?? [])] as TokenScope[],
    prefix: entity.prefix,
    createdAt: entity.createdAt,
    lastUsedAt: entity.lastUsedAt ?? null,
    expiresAt: entity.expiresAt ?? null,
  };
}

@Injectable()
export class DatastoreTokensRepository extends TokensRepository {
  constructor(@Inject(DATASTORE_CLIENT) private readonly datastore: Datastore) {
    super();
  }

  async create(token: AccessToken): Promise<AccessToken> {
    const { hash, ...rest } = token;
    const data: TokenEntity = rest;
    await database(() =>
      this.datastore.save({ key: this.keyOf(hash), data, method: 'insert', excludeFromIndexes: UNINDEXED }, DATASTORE_CALL),
    );
    return { ...token };
  }

  async findByHash(hash: string): Promise<AccessToken | null> {
    const [entity] = await database(() => this.datastore.get(this.keyOf(hash), { gaxOptions: DATASTORE_CALL }));
    return entity ? toToken(entity as TokenEntity, hash) : null;
  }

  async listFor(userId: string): Promise<AccessToken[]> {
    return (await this.entitiesOf(userId)).map(([entity, key]) => toToken(entity, String(key.name))).sort(newestFirst);
  }

  /** Read, then written back with `update`, which fails rather than recreating a token revoked in between. */
  async touch({ hash }: Pick<AccessToken, 'hash'>, at: Date): Promise<void> {
    const key = this.keyOf(hash);
    await database(async () => {
      const [entity] = await this.datastore.get(key, { gaxOptions: DATASTORE_CALL });
      if (!entity) return;
      const data: TokenEntity = { ...(entity as TokenEntity), lastUsedAt: at };
      try {
        await this.datastore.save({ key, data, method: 'update', excludeFromIndexes: UNINDEXED }, DATASTORE_CALL);
      } catch (error) {
        if (grpcCode(error) !== GRPC_NOT_FOUND) throw error;
      }
    });
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const match = (await this.entitiesOf(userId)).find(([entity]) => entity.id === id);
    if (!match) return false;
    await database(() => this.datastore.delete(match[1], DATASTORE_CALL));
    return true;
  }

  async deleteAllOf(userId: string): Promise<void> {
    const keys = (await this.entitiesOf(userId)).map(([, key]) => key);
    if (keys.length > 0) await database(() => this.datastore.delete(keys, DATASTORE_CALL));
  }

  private async entitiesOf(userId: string): Promise<[TokenEntity, Key][]> {
    const query = this.datastore.createQuery(KIND).filter(new PropertyFilter('userId', '=', userId));
    const [entities] = await database(() => this.datastore.runQuery(query, { gaxOptions: DATASTORE_CALL }));
    return entities.map((entity) => [entity as TokenEntity, entity[this.datastore.KEY] as Key]);
  }

  private keyOf(hash: string): Key {
    return this.datastore.key([KIND, hash]);
  }
}
