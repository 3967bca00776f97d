import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BookOwnerDto {
  @ApiProperty({ description: "The owner's user id (their sign-in provider's `sub`)." })
  id!: string;

  @ApiProperty({ description: "The owner's display name when the book was added." })
  name!: string;
}

export class BookDto {
  @ApiProperty({ description: 'A string on every data backend.', example: '42' })
  id!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'The Left Hand of Darkness' })
  title!: string;

  @ApiProperty({ type: String, nullable: true, maxLength: 200, example: 'Ursula K. Le Guin' })
  author!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 50, description: 'Free text.', example: '1969' })
  publishedDate!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 5000 })
  description!: string | null;

  @ApiProperty({ type: String, format: 'uri', nullable: true, description: 'The cover (WebP, at most 1200 px).' })
  coverUrl!: string | null;

  @ApiProperty({ type: String, format: 'uri', nullable: true, description: 'The cover at 320 px.' })
  thumbnailUrl!: string | null;

  @ApiProperty({ type: BookOwnerDto })
  createdBy!: BookOwnerDto;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

export class BookListDto {
  @ApiProperty({ type: [BookDto], description: 'In list order: title (Unicode NFKC, lower-cased, compared bytewise), then id.' })
  items!: BookDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `page_token` for the next page; null on the last page.' })
  nextPageToken!: string | null;
}

/** The fields of a new book. Any other field is ignored: the owner is the token's. */
export class CreateBookDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Trimmed; 1 to 200 characters (code points).' })
  title!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  author?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 50 })
  publishedDate?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000, description: 'CRLF becomes LF.' })
  description?: string | null;
}

/** A JSON merge patch: only the fields given change; null clears an optional field. */
export class UpdateBookDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  author?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 50 })
  publishedDate?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000 })
  description?: string | null;
}

/** RFC 9457 problem details. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Not Found' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 404 })
  status!: number;

  @ApiProperty({ example: 'That book does not exist.' })
  detail!: string;
}

export class FieldErrorDto {
  @ApiProperty({ example: 'title' })
  field!: string;

  @ApiProperty({ example: 'Title is required.' })
  message!: string;
}

export class ValidationProblemDto extends ProblemDto {
  @ApiProperty({ type: [FieldErrorDto] })
  errors!: FieldErrorDto[];
}
