import Handlebars from 'handlebars';
import { compactTemplate, compactTemplates } from './compact-templates';

describe(compactTemplate.name, () => {
  it('drops the indentation at line starts and blank lines, keeping one line break between tags', () => {
    expect(compactTemplate('<ul>\n  <li>\n    a\n  </li>\n\n   \n  <li>b</li>\n</ul>\n')).toBe('<ul>\n<li>\na\n</li>\n<li>b</li>\n</ul>\n');
  });

  it('leaves a template with <pre> or <textarea> exactly as written', () => {
    const pre = '<pre>\n  indented\n\n</pre>';
    const textarea = '<form>\n  <textarea name="d">\n  kept</textarea>\n</form>';
    expect(compactTemplate(pre)).toBe(pre);
    expect(compactTemplate(textarea)).toBe(textarea);
  });
});

describe(compactTemplates.name, () => {
  it('compacts what the environment compiles, partials included, but never the values rendered into it', () => {
    const handlebars = Handlebars.create();
    compactTemplates(handlebars);
    compactTemplates(handlebars);
    handlebars.registerPartial('item', '<li>\n    {{name}}\n</li>\n');
    const page = handlebars.compile('<ul>\n  {{#each items}}\n    {{> item}}\n  {{/each}}\n</ul>');
    expect(page({ items: [{ name: '  two  spaces\n  and a line' }] })).toBe('<ul>\n<li>\n  two  spaces\n  and a line\n</li>\n</ul>');
  });
});
