import { Body, Controller, Get, Param, Post, Query, Render, Res, Session, UploadedFile, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { SessionData } from 'express-session';
import { type FailedForm, flash, redirectToFailedForm, takeFailedForm } from '../common/page-messages';
import { CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import { SignedInGuard } from '../auth/signed-in.guard';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { InvalidImage } from '../storage/storage.errors';
import type { BookFields } from './book';
import { type BookFormErrors, parseBookForm } from './book-form';
import { keepPage } from './book-pages-cache';
import { type BookListPage, BooksService, type CoverChange } from './books.service';
import { InvalidSearch } from './books.errors';
import { queryWords } from './search-words';

const EMPTY_FORM: BookFields = { title: '', author: '', publishedDate: '', description: '' };

/** The session's fields a handler writes (the flash message shown on the next page). */
type PageSession = Partial<SessionData>;
/** The cover, when the multipart form carried one (multer, mounted by `configureApp`, puts it on the request). */
type Upload = Express.Multer.File | undefined;

@Controller()
export class BooksController {
  constructor(private readonly books: BooksService) {}

  @Get()
  root(@Res() res: Response): void {
    res.redirect(302, '/books');
  }

  @Get('books')
  @Render('books/list')
  async list(@Query('page_token') pageToken: unknown, @Query('q') q: unknown, @Res({ passthrough: true }) res: Response) {
    const query = searchParam(q);
    const page = await this.books.list(undefined, pageParam(pageToken), undefined, query);
    keepPage(res);
    return listPage('Books', '/books', query, page);
  }

  @Get('books/mine')
  @UseGuards(SignedInGuard)
  @Render('books/list')
  async mine(
    @CurrentUser() user: SessionUser,
    @Query('page_token') pageToken: unknown,
    @Query('q') q: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const query = searchParam(q);
    const page = await this.books.list(user.id, pageParam(pageToken), undefined, query);
    keepPage(res, { only: user.id });
    return { ...listPage('My Books', '/books/mine', query, page), mine: true };
  }

  @Get('books/add')
  @UseGuards(SignedInGuard)
  @Render('books/form')
  addForm(@Session() session: PageSession, @Res({ passthrough: true }) res: Response) {
    return formPage('Add book', '/books/add', EMPTY_FORM, refused(session, '/books/add', res));
  }

  @Post('books/add')
  @RateLimit('writes', 'uploads')
  @UseGuards(SignedInGuard)
  async add(
    @CurrentUser() user: SessionUser,
    @Body() body: unknown,
    @UploadedFile() file: Upload,
    @Session() session: PageSession,
    @Res() res: Response,
  ): Promise<void> {
    const form = parseBookForm(body);
    const refuse = (errors: BookFormErrors) =>
      redirectToFailedForm(session, res, { path: '/books/add', status: 422, values: { ...form.values }, errors });
    if (!form.valid) return refuse(form.errors);
    try {
      const book = await this.books.create({ id: user.id, name: user.name }, form.values, file?.buffer);
      flash(session, 'success', `Added “${book.title}”.`);
      res.redirect(303, `/books/${encodeURIComponent(book.id)}`);
    } catch (error) {
      if (!(error instanceof InvalidImage)) throw error;
      refuse({ image: error.message });
    }
  }

  @Get('books/:id')
  @Render('books/view')
  async view(
    @CurrentUser({ optional: true }) user: SessionUser | undefined,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const book = await this.books.get(id);
    const owner = user?.id === book.createdById;
    // The owner sees the book's controls: their page is theirs alone; everyone else's is the same.
    keepPage(res, owner ? { only: book.createdById } : { except: book.createdById });
    return { title: book.title, book, owner };
  }

  @Get('books/:id/edit')
  @UseGuards(SignedInGuard)
  @Render('books/form')
  async editForm(
    @CurrentUser() user: SessionUser,
    @Param('id') id: string,
    @Session() session: PageSession,
    @Res({ passthrough: true }) res: Response,
  ) {
    const book = await this.books.getOwned(id, user.id);
    const action = `/books/${encodeURIComponent(id)}/edit`;
    return { ...formPage('Edit book', action, book, refused(session, action, res)), book };
  }

  @Post('books/:id/edit')
  @RateLimit('writes', 'uploads')
  @UseGuards(SignedInGuard)
  async edit(
    @CurrentUser() user: SessionUser,
    @Body() body: unknown,
    @UploadedFile() file: Upload,
    @Session() session: PageSession,
    @Res() res: Response,
    @Param('id') id: string,
  ): Promise<void> {
    const userId = user.id;
    // Ownership (404, then 403) comes before validation (422).
    await this.books.getOwned(id, userId);
    const action = `/books/${encodeURIComponent(id)}/edit`;
    const form = parseBookForm(body);
    const refuse = (errors: BookFormErrors) =>
      redirectToFailedForm(session, res, { path: action, status: 422, values: { ...form.values }, errors });
    if (!form.valid) return refuse(form.errors);
    const change: CoverChange = file ? { kind: 'replace', upload: file.buffer } : form.removeImage ? { kind: 'remove' } : { kind: 'keep' };
    try {
      await this.books.update(id, userId, form.values, change);
      flash(session, 'success', 'Saved your changes.');
      res.redirect(303, `/books/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof InvalidImage)) throw error;
      refuse({ image: error.message });
    }
  }

  @Get('books/:id/delete')
  @UseGuards(SignedInGuard)
  @Render('books/delete')
  async confirmDelete(@CurrentUser() user: SessionUser, @Param('id') id: string) {
    const book = await this.books.getOwned(id, user.id);
    return { title: `Delete ${book.title}`, book };
  }

  @Post('books/:id/delete')
  @RateLimit('writes', 'uploads')
  @UseGuards(SignedInGuard)
  async delete(
    @CurrentUser() user: SessionUser,
    @Session() session: PageSession,
    @Res() res: Response,
    @Param('id') id: string,
  ): Promise<void> {
    const book = await this.books.delete(id, user.id);
    flash(session, 'success', `Deleted “${book.title}”.`);
    res.redirect(303, '/books/mine');
  }
}

/** A repeated `page_token` is as malformed as an edited one. */
function pageParam(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : '\u0000';
}

/** Far beyond 8 words of 40 characters with separators; anything longer is not a search a person typed. */
const MAX_QUERY_LENGTH = 1000;

/** The search query: absent or blank is the plain list; given twice, or absurdly long, is a 400. */
function searchParam(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_QUERY_LENGTH) throw new InvalidSearch();
  return value.trim();
}

/** A list page, plain or searched: what was searched, how to clear it, and the next page's link. */
function listPage(heading: string, listPath: string, q: string, page: BookListPage) {
  const searching = queryWords(q).length > 0;
  const next =
    page.nextPageToken === null
      ? null
      : new URLSearchParams(searching ? { q, page_token: page.nextPageToken } : { page_token: page.nextPageToken });
  const first = page.pageNumber === 1;
  const firstPath = searching ? `${listPath}?${new URLSearchParams({ q }).toString()}` : listPath;
  return {
    title: searching ? `Search: ${q}` : heading,
    heading,
    listPath,
    searchAction: listPath,
    search: searching ? { q } : null,
    // What this is, for a first-time visitor (the layout shows it only to people not signed in).
    welcome: listPath === '/books' && first && !searching,
    ...page,
    nextPath: next ? `${listPath}?${next.toString()}` : null,
    // Keyset paging: "Page N" from the token, a way back to the first page, and More.
    paging: first && !next ? null : { number: page.pageNumber, firstPath: first ? null : firstPath },
  };
}

/** What the form shows: the book's (or no) values, or those of a refused submission with its messages. */
interface FormContent {
  values: BookFields;
  errors: BookFormErrors;
}

/**
 * The submission this page was sent back with (`redirectToFailedForm`), if any: its values read again by
 * the form's rules (they may come from an upload cut short, see `configureApp`), and the page's status.
 */
function refused(session: PageSession, path: string, res: Response): FormContent | undefined {
  const failed: FailedForm | undefined = takeFailedForm(session, path);
  if (!failed) return undefined;
  res.status(failed.status);
  return { values: parseBookForm(failed.values).values, errors: failed.errors };
}

/** The form page; `firstError` names the field that gets the focus. */
function formPage(heading: string, action: string, values: BookFields, content?: FormContent) {
  const errors = content?.errors ?? {};
  const shown = content?.values ?? values;
  const firstError = FIELD_ORDER.find((field) => errors[field]);
  return {
    title: heading,
    heading,
    action,
    values: shown,
    errors,
    focus: firstError ? { [firstError]: true } : {},
  };
}

/** The form's fields in page order (the cover last). */
const FIELD_ORDER = ['title', 'author', 'publishedDate', 'description', 'image'] as const;
