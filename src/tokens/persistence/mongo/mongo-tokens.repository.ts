import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { AccessToken, TokenScope } from '../../access-token';
import { newestFirst, TokensRepository } from '../../tokens.repository';
import { database } from '../database-call';
import { MongoAccessToken } from './access-token.schema';

function toToken(doc: MongoAccessToken): AccessToken {
  return {
    id: doc._id,
    hash: doc.hash,
    userId: doc.userId,
    userName: doc.userName,
    name: doc.name,
    scopes: [...doc.scopes] as TokenScope[],
    prefix: doc.prefix,
    createdAt: new Date(doc.createdAt),
    lastUsedAt: doc.lastUsedAt ? new Date(doc.lastUsedAt) : null,
    expiresAt: doc.expiresAt ? new Date(doc.expiresAt) : null,
  };
}

@Injectable()
export class MongoTokensRepository extends TokensRepository {
  constructor(@InjectModel(MongoAccessToken.name) private readonly tokens: Model<MongoAccessToken>) {
    super();
  }

  async create(token: AccessToken): Promise<AccessToken> {
    const { id, ...rest } = token;
    await database(() => this.tokens.create({ _id: id, ...rest }));
    return { ...token };
  }

  async findByHash(hash: string): Promise<AccessToken | null> {
    const doc = await database(() => this.tokens.findOne({ hash }).lean<MongoAccessToken>().exec());
    return doc ? toToken(doc) : null;
  }

  async listFor(userId: string): Promise<AccessToken[]> {
    const docs = await database(() => this.tokens.find({ userId }).lean<MongoAccessToken[]>().exec());
    return docs.map(toToken).sort(newestFirst);
  }

  async touch({ id }: Pick<AccessToken, 'id'>, at: Date): Promise<void> {
    await database(() => this.tokens.updateOne({ _id: id }, { $set: { lastUsedAt: at } }).exec());
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const result = await database(() => this.tokens.deleteOne({ _id: id, userId }).exec());
    return result.deletedCount > 0;
  }

  async deleteAllOf(userId: string): Promise<void> {
    await database(() => this.tokens.deleteMany({ userId }).exec());
  }
}
