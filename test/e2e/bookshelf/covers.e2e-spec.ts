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
      );
      expect(page.status).toBe(422);
      expect(page.html.querySelector('#image-error')?.text).toContain('PNG, JPEG, GIF or WebP');
      expect(page.html.querySelector('#title')?.getAttribute('value')).toBe('Fake cover');
      expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Fake cover');
    });

    it('refuses an upload over 8 MiB with 413', async () => {
      await ada.get('/books/add');
      const big = overUploadLimit();
      const page = await ada.post('/books/add', bookForm(ada, { title: 'Too big' }, { bytes: big, name: 'big.png', type: 'image/png' }));
      expect(page.status).toBe(413);
      expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Too big');
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
