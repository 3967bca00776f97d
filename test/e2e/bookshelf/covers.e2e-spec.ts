import { describeOnEveryBackend } from '../../helpers/backends';
import { htmlNotAnImage, overUploadLimit, pngCover } from '../../helpers/images';
import type { WebClient } from '../../helpers/web-client';
import { addBook, bookForm, withBookshelf, type TestApp, titlesOn } from './support';

/** Cover uploads: refused bytes, the size limit, replacing and removing, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: covers', (backend) => {
  let app: TestApp;
  let ada: WebClient;

  withBookshelf('in-process', backend, (started) => ({ app, ada } = started));

  describe('covers', () => {
    it('refuses bytes that are not an image with 422 at the image field, storing nothing', async () => {
      await ada.get('/books/add');
      const html = htmlNotAnImage();
      const page = await ada.post(
        '/books/add',
        bookForm(ada, { title: 'Fake cover' }, { bytes: html, name: 'cover.jpg', type: 'image/jpeg' }),
        { follow: true },
      );
      expect(page.status).toBe(422);
      expect(new URL(page.url).pathname).toBe('/books/add');
      expect(page.html.querySelector('#image-error')?.text).toContain('PNG, JPEG, GIF or WebP');
      expect(page.html.querySelector('#title')?.getAttribute('value')).toBe('Fake cover');
      expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Fake cover');
    });

    it('refuses an upload over 8 MiB: back to the form (303), which keeps what was typed and answers 413 with a message', async () => {
      await ada.get('/books/add');
      const big = overUploadLimit();
      const form = bookForm(
        ada,
        { title: 'Too big', author: 'Typed before the cover', description: 'Kept\ntoo' },
        { bytes: big, name: 'big.png', type: 'image/png' },
      );
      const refused = await ada.post('/books/add', form);
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe('/books/add');
      const page = await ada.get('/books/add');
      expect(page.status).toBe(413);
      // Still signed in, on the form, with the message at the cover and the text kept.
      expect(page.html.querySelector('.user-name')?.text).toBe('Ada Lovelace');
      expect(page.html.querySelector('#image-error')?.text).toBe('That upload is too large. Covers can be at most 8 MiB.');
      expect(page.html.querySelector('#image')?.hasAttribute('autofocus')).toBe(true);
      expect(page.html.querySelector('#title')?.getAttribute('value')).toBe('Too big');
      expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('Typed before the cover');
      expect(page.html.querySelector('#description')?.text).toBe('Kept\ntoo');
      expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Too big');
    });

    it('refuses an oversized cover on the edit form the same way, leaving the book as it was', async () => {
      const id = await addBook(ada, { title: 'Edited too big' });
      await ada.get(`/books/${id}/edit`);
      const form = bookForm(ada, { title: 'Renamed' }, { bytes: overUploadLimit(), name: 'big.png', type: 'image/png' });
      const page = await ada.post(`/books/${id}/edit`, form, { follow: true });
      expect(page.status).toBe(413);
      expect(new URL(page.url).pathname).toBe(`/books/${id}/edit`);
      expect(page.html.querySelector('#title')?.getAttribute('value')).toBe('Renamed');
      expect((await ada.get(`/books/${id}`)).html.querySelector('h1')?.text).toBe('Edited too big');
    });

    it('replaces and removes a cover, deleting the old objects', async () => {
      const id = await addBook(ada, { title: 'Cover swap' }, await pngCover());
      const first = (await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')!;
      await ada.get(`/books/${id}/edit`);
      const replaced = await ada.post(
        `/books/${id}/edit`,
        bookForm(ada, { title: 'Cover swap' }, { bytes: await pngCover(80, 120), name: 'b.png', type: 'image/png' }),
      );
      expect(replaced.status).toBe(303);
      const second = (await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')!;
      expect(second).not.toBe(first);
      expect((await fetch(new URL(first, app.baseUrl))).status).toBe(404);
      await ada.get(`/books/${id}/edit`);
      const removed = await ada.post(`/books/${id}/edit`, { _csrf: ada.csrfToken(), title: 'Cover swap', removeImage: 'on' });
      expect(removed.status).toBe(303);
      expect((await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')).toContain('placeholder');
      expect((await fetch(new URL(second, app.baseUrl))).status).toBe(404);
    });
  });
});
