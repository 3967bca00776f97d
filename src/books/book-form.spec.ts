import { parseBookForm } from './book-form';

describe(parseBookForm.name, () => {
  it('trims the fields and ignores everything but the editable ones', () => {
    const form = parseBookForm({ title: '  Dune ', author: 'Frank Herbert', createdById: 'mallory', imageUrl: 'x', _csrf: 't' });
    expect(form.valid).toBe(true);
    expect(form.values).toEqual({ title: 'Dune', author: 'Frank Herbert', publishedDate: '', description: '' });
  });

  it('requires a title', () => {
    expect(parseBookForm({ title: '   ' }).errors).toEqual({ title: 'Title is required.' });
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(parseBookForm({ title: '😀'.repeat(200) }).valid).toBe(true);
    expect(parseBookForm({ title: 'a'.repeat(201) }).errors.title).toContain('at most 200');
    expect(parseBookForm({ title: 'a', publishedDate: '1'.repeat(51) }).errors.publishedDate).toContain('at most 50');
    expect(parseBookForm({ title: 'a', description: 'd'.repeat(5001) }).errors.description).toContain('at most 5000');
  });

  it.each(['\u0000', '\u0007', '\u001b', '\u007f', '\ud800'])('refuses the control character %j', (char) => {
    expect(parseBookForm({ title: 'a', author: `x${char}y` }).errors.author).toContain('not allowed');
  });

  it('keeps tabs and newlines in the description', () => {
    const form = parseBookForm({ title: 'a', description: 'one\r\n\ttwo' });
    expect(form.valid).toBe(true);
    expect(form.values.description).toBe('one\n\ttwo');
  });

  it('reads removeImage from a checkbox', () => {
    expect(parseBookForm({ title: 'a', removeImage: 'on' }).removeImage).toBe(true);
    expect(parseBookForm({ title: 'a' }).removeImage).toBe(false);
  });

  it('takes the first of repeated fields and treats non-text as empty', () => {
    expect(parseBookForm({ title: ['First', 'Second'] }).values.title).toBe('First');
    expect(parseBookForm({ title: { $gt: '' } }).errors.title).toBe('Title is required.');
  });
});
