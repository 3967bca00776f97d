import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BookFields } from '../books/book';
import { type BookView, BooksService } from '../books/books.service';
import { AppConfig } from '../config/app-config';
import { InvalidImage } from '../storage/storage.errors';
import { TokenRequired } from '../tokens/tokens.errors';
import { ApiAuth, ApiAuthGuard } from './api-auth.guard';
import { InvalidFields, MalformedRequest } from './api-errors';
import { COVER_TYPES, JSON_TYPES } from './api-http';
import { BookDto, BookListDto, CreateBookDto, UpdateBookDto } from './book.dto';
import { readBookInput } from './book-input';
import { Problems } from './openapi-decorators';

export const API_BASE = 'api/v1';
const DEFAULT_PAGE_SIZE = 10;

@ApiTags('books')
@Controller(`${API_BASE}/books`)
@UseGuards(ApiAuthGuard)
@Problems(503)
export class BooksApiController {
  constructor(
    private readonly books: BooksService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiAuth()
  @ApiOperation({
    summary: 'List books',
    description:
      'All books, or with `mine=true` those of the token’s owner (a token is then required). With `q`, only the books whose title or author has a word starting with each word of `q` (case and accents ignored; at most 8 words of 40 characters count).',
  })
  @ApiBearerAuth()
  @ApiQuery({ name: 'mine', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE } })
  @ApiQuery({
    name: 'q',
    required: false,
    schema: { type: 'string', maxLength: 1000 },
    description: 'Search: every word must start a word of the title or the author. A page token belongs to its query.',
  })
  @ApiQuery({ name: 'page_token', required: false, schema: { type: 'string' }, description: 'The `nextPageToken` of the previous page.' })
  @ApiOkResponse({ type: BookListDto })
  @Problems(400, 401, 403)
  async list(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<BookListDto> {
    const mine = queryFlag(query.mine, 'mine');
    const pageSize = queryPageSize(query.page_size);
    const pageToken = query.page_token === undefined || query.page_token === '' ? undefined : singleQuery(query.page_token, 'page_token');
    const q = query.q === undefined ? '' : singleQuery(query.q, 'q');
    if (q.length > 1000) throw new MalformedRequest('The query parameter q may have at most 1000 characters.');
    if (mine && !req.apiToken) throw new TokenRequired(false);
    const page = await this.books.listWhole(mine ? req.apiToken!.userId : undefined, pageToken, pageSize, q);
    return { items: page.books.map((book) => this.toJson(book)), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiAuth()
  @ApiOperation({ summary: 'Get a book' })
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: BookDto })
  @Problems(401, 404)
  async get(@Param('id') id: string): Promise<BookDto> {
    return this.toJson(await this.books.get(id));
  }

  @Post()
  @ApiAuth({ scope: 'books:write', limits: ['writes'] })
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add a book', description: 'The owner is the token’s; any field other than the four is ignored.' })
  @ApiConsumes(...JSON_TYPES)
  @ApiBody({ type: CreateBookDto })
  @ApiCreatedResponse({
    type: BookDto,
    headers: { Location: { description: 'The new book’s URL.', schema: { type: 'string', format: 'uri' } } },
  })
  @Problems(400, 401, 403, 413, 415, 422, 429)
  async create(@Req() req: Request, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<BookDto> {
    requireJson(req);
    const values = readBookInput(body, false) as BookFields;
    const token = req.apiToken!;
    const book = await this.books.create({ id: token.userId, name: token.userName }, values, undefined);
    res.status(201).location(this.url(`/${API_BASE}/books/${encodeURIComponent(book.id)}`));
    return this.toJson(await this.books.get(book.id));
  }

  @Patch(':id')
  @ApiAuth({ scope: 'books:write', limits: ['writes'] })
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change a book', description: 'A JSON merge of the given fields; null clears an optional field.' })
  @ApiParam({ name: 'id', type: String })
  @ApiConsumes(...JSON_TYPES)
  @ApiBody({ type: UpdateBookDto })
  @ApiOkResponse({ type: BookDto })
  @Problems(400, 401, 403, 404, 413, 415, 422, 429)
  async update(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<BookDto> {
    const userId = req.apiToken!.userId;
    // Ownership (404, then 403) comes before the body (415, 422), as on the pages.
    const existing = await this.books.getOwned(id, userId);
    requireJson(req);
    const changes = readBookInput(body, true);
    const merged: BookFields = { ...editableFields(existing), ...changes };
    await this.books.update(id, userId, merged, { kind: 'keep' });
    return this.toJson(await this.books.get(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiAuth({ scope: 'books:write', limits: ['writes'] })
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete a book and its cover' })
  @ApiParam({ name: 'id', type: String })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @Problems(401, 403, 404, 429)
  async delete(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.books.delete(id, req.apiToken!.userId);
  }

  @Put(':id/cover')
  @ApiAuth({ scope: 'books:write', limits: ['writes', 'uploads'] })
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Set the cover',
    description: 'The image is the raw body. It is checked and re-encoded as on the form (at most 8 MiB, 40 megapixels).',
  })
  @ApiParam({ name: 'id', type: String })
  @ApiConsumes(...COVER_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: BookDto })
  @Problems(401, 403, 404, 413, 415, 422, 429)
  async putCover(@Req() req: Request, @Param('id') id: string): Promise<BookDto> {
    const userId = req.apiToken!.userId;
    const existing = await this.books.getOwned(id, userId);
    if (!Buffer.isBuffer(req.body) || !req.is(COVER_TYPES)) {
      throw new UnsupportedMediaTypeException(`A cover is sent as the raw body with Content-Type ${COVER_TYPES.join(', ')}.`);
    }
    try {
      await this.books.update(id, userId, editableFields(existing), { kind: 'replace', upload: req.body });
    } catch (error) {
      if (error instanceof InvalidImage) throw new InvalidFields([{ field: 'body', message: error.message }]);
      throw error;
    }
    return this.toJson(await this.books.get(id));
  }

  @Delete(':id/cover')
  @HttpCode(204)
  @ApiAuth({ scope: 'books:write', limits: ['writes'] })
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Remove the cover' })
  @ApiParam({ name: 'id', type: String })
  @ApiNoContentResponse({ description: 'Removed (or there was none).' })
  @Problems(401, 403, 404, 429)
  async deleteCover(@Req() req: Request, @Param('id') id: string): Promise<void> {
    const userId = req.apiToken!.userId;
    const existing = await this.books.getOwned(id, userId);
    if (existing.imageKey !== null) await this.books.update(id, userId, editableFields(existing), { kind: 'remove' });
  }

  private toJson(book: BookView): BookDto {
    return {
      id: book.id,
      title: book.title,
      author: book.author || null,
      publishedDate: book.publishedDate || null,
      description: book.description || null,
      coverUrl: book.cover ? this.url(book.cover.image) : null,
      thumbnailUrl: book.cover ? this.url(book.cover.thumbnail) : null,
      createdBy: { id: book.createdById, name: book.createdBy },
      createdAt: book.createdAt.toISOString(),
      updatedAt: book.updatedAt.toISOString(),
    };
  }

  private url(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.config.baseUrl).toString();
  }
}

function editableFields({ title, author, publishedDate, description }: BookFields): BookFields {
  return { title, author, publishedDate, description };
}

function requireJson(req: Request): void {
  if (!req.is(JSON_TYPES)) throw new UnsupportedMediaTypeException('This route takes a JSON body (Content-Type: application/json).');
}

function singleQuery(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new MalformedRequest(`The query parameter ${name} may be given once.`);
  return value;
}

function queryFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  const text = singleQuery(value, name);
  if (text === 'true') return true;
  if (text === 'false' || text === '') return false;
  throw new MalformedRequest(`The query parameter ${name} must be true or false.`);
}

function queryPageSize(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  const text = singleQuery(value, 'page_size');
  const size = Number(text);
  if (!/^[0-9]{1,3}$/.test(text) || size < 1 || size > 100)
    throw new MalformedRequest('The query parameter page_size must be a whole number from 1 to 100.');
  return size;
}
