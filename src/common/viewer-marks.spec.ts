import Handlebars from 'handlebars';
import { ViewerMarks } from './viewer-marks';

type Field = 'name' | 'picture' | 'token';
const marks = new ViewerMarks<Field>(['name', 'picture', 'token']);
const template = Handlebars.compile(
  '<nav>{{#if picture}}<img src="{{picture}}">{{else}}<img src="/avatar.svg">{{/if}}<b title="{{name}}">{{name}}</b>' +
    '<input value="{{token}}"></nav><h1>{{title}}</h1>',
);
const render = (values: Record<Field, string | null>) => template({ ...values, title: 'A <shared> "title"' });

describe(ViewerMarks.name, () => {
  const viewers: Record<Field, string | null>[] = [
    { name: `Zoë <&> "O'Hara" =\`x\``, picture: 'https://lh3.googleusercontent.com/a/p=s96-c?x=1&y=<2>', token: 'abc-123_' },
    { name: 'Bob', picture: null, token: 'def' },
    { name: '', picture: 'https://example.com/b.png', token: 'ghi' },
  ];

  it('fills one marked rendering with each viewer of its variant, byte for byte as rendering for them', () => {
    for (const viewer of viewers) {
      const page = marks.cut(render(marks.marked(viewer) as Record<Field, string | null>));
      expect(page.fill(viewer).toString()).toBe(render(viewer));
      // Another viewer of the same variant gets their own values from the same page.
      const other = { ...viewer, name: viewer.name && `${viewer.name} 2`, token: 'other' };
      expect(page.fill(other).toString()).toBe(render(other));
    }
  });

  it('tells apart viewers by which values are set, which templates may test', () => {
    expect(viewers.map((viewer) => marks.variant(viewer))).toEqual(['111', '101', '011']);
  });

  it('uses marks no page can contain by chance: only letters and digits, around a nonce of its own', () => {
    const marked = Object.values(new ViewerMarks<Field>(['name', 'picture', 'token']).marked(viewers[0]));
    const again = Object.values(marks.marked(viewers[0]));
    for (const mark of [...marked, ...again]) expect(mark).toMatch(/^[0-9a-z]{34,}$/);
    expect(marked[0]).not.toBe(again[0]);
    // A page that shows another instance's mark (typed into a book, say) keeps it as text.
    const page = marks.cut(`<p>${marked[0]}</p>`);
    expect(page.fill(viewers[0]).toString()).toBe(`<p>${marked[0]}</p>`);
  });
});
