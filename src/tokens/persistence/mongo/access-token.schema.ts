import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A token in the `access_tokens` collection; `_id` is the token's id (a random hex string). No validators: the service has validated. */
@Schema({ collection: 'access_tokens', versionKey: false })
export class MongoAccessToken {
  @Prop({ type: String }) _id: string;
  @Prop({ type: String }) hash: string;
  @Prop({ type: String }) userId: string;
  @Prop({ type: String }) userName: string;
  @Prop({ type: String }) name: string;
  @Prop({ type: [String] }) scopes: string[];
  @Prop({ type: String }) prefix: string;
  @Prop({ type: Date }) createdAt: Date;
  @Prop({ type: Date, default: null }) lastUsedAt: Date | null;
  @Prop({ type: Date, default: null }) expiresAt: Date | null;
}

export const AccessTokenSchema = SchemaFactory.createForClass(MongoAccessToken);
AccessTokenSchema.index({ hash: 1 }, { unique: true });
AccessTokenSchema.index({ userId: 1, createdAt: -1 });
