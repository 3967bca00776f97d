import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A book in the `books` collection. `_id` is the ObjectId whose hex string is the book's id;
 * `createdAt` and `updatedAt` are kept by mongoose (`timestamps`). No validators: the service has
 * validated every field already, and a validation error here would surface as an outage.
 */
@Schema({ collection: 'books', versionKey: false, timestamps: true })
export class MongoBook {
  @Prop({ type: String }) title: string;
  @Prop({ type: String }) author: string;
  @Prop({ type: String }) publishedDate: string;
  @Prop({ type: String }) description: string;
  @Prop({ type: String, default: null }) imageKey: string | null;
  @Prop({ type: String, default: null }) thumbnailKey: string | null;
  @Prop({ type: String }) createdById: string;
  @Prop({ type: String }) createdBy: string;
  /**
   * Compared bytewise (UTF-8) under MongoDB's default "simple" collation, which is what a collection
   * created implicitly by the first insert has. A collection created by hand with another default
   * collation would change the list order.
   */
  @Prop({ type: String }) sortKey: string;
  /**
   * Search: `searchPrefixes(title, author)`, set with the title in the same write. Missing only on a book
   * stored before search existed, until the backfill at start reaches it (no default, so that it shows).
   */
  @Prop({ type: [String], default: undefined }) words?: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const BookSchema = SchemaFactory.createForClass(MongoBook);
// The two list orders (all books; one owner's books), so that keyset paging walks an index.
BookSchema.index({ sortKey: 1, _id: 1 });
BookSchema.index({ createdById: 1, sortKey: 1, _id: 1 });
// Search, in the same two orders: multikey on the stored prefixes, equality on one, then the list order.
BookSchema.index({ words: 1, sortKey: 1, _id: 1 });
BookSchema.index({ createdById: 1, words: 1, sortKey: 1, _id: 1 });
