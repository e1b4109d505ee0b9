/** @module Tests of the template minifier used by the build: it must shrink templates and leave code alone. */
import { expect } from '@open-wc/testing';
import { minifyTemplates } from './minify-templates.ts';

describe('minifyTemplates', () => {
  it('collapses the whitespace of html templates, keeping one space', () => {
    const out = minifyTemplates('const t = html`<div>\n    <p part="a">${x}</p>\n  </div>`;');
    expect(out).to.equal('const t = html`<div> <p part=a>${x}</p> </div>`;');
  });

  // Not before `/>`: `.checked=${c}/>` would bind `.checked` to the value followed by "/".
  it("drops a line break before a tag's >, and the quotes around plain attribute values", () => {
    const code =
      'html`<label part="choice"\n  ><input type="radio" name=${n} .checked=${c}\n  /></label\n>' +
      '<p id="${id}-error" class="a b" data-x="" role="alert">x="y"</p><br class="z"/>`';
    const expected =
      'html`<label part=choice><input type=radio name=${n} .checked=${c} /></label>' +
      '<p id="${id}-error" class="a b" data-x="" role=alert>x="y"</p><br class="z"/>`';
    expect(minifyTemplates(code)).to.equal(expected);
  });

  it('minifies css templates', () => {
    const source =
      'const s = css`\n  :host {\n    display: block; /* why */\n' +
      '    margin: 0 auto;\n  }\n  a,\n  b { color: red; }\n`;';
    const out = minifyTemplates(source);
    expect(out).to.equal('const s = css`:host{display:block;margin:0 auto}a,b{color:red}`;');
  });

  it('minifies nested templates and leaves untagged ones and strings alone', () => {
    const code = "html`<a>\n  ${ok ? html`<b>\n  x</b>` : `keep\n  this`} ${'str } `'} ${fn({ a: 1 })}\n</a>`";
    const expected = "html`<a> ${ok ? html`<b> x</b>` : `keep\n  this`} ${'str } `'} ${fn({ a: 1 })} </a>`";
    expect(minifyTemplates(code)).to.equal(expected);
  });

  it('keeps regex literals with escaped slashes and braces', () => {
    const regexes = 'const a = /^https?:\\/\\//.test(u); const b = s.replace(/\\{(\\w+)\\}/g, f);';
    const code = `${regexes} // note\nconst c = html\`<i>\n</i>\`;`;
    expect(minifyTemplates(code)).to.equal(`${regexes} \nconst c = html\`<i> </i>\`;`);
  });
});
