/**
 * @module A Vite plugin that squeezes the whitespace out of the static text of Lit's html`` and css`` templates.
 * The JS minifier cannot touch template text, and in this widget it is a tenth of the gzipped bundle.
 */
import type { Plugin } from 'vite';

/**
 * Minifies html`` and css`` templates in one source file. A small scanner, not a parser: it knows strings, comments,
 * template literals, `${}` nesting and escapes in regex literals, which is all our own sources use (a regex literal
 * with an unescaped `//`, brace or backtick would confuse it).
 */
export const minifyTemplates = (code: string): string => {
  let out = '';
  let i = 0;

  // Copies code until the end, or (inside `${}`) until the brace that closes the expression.
  const script = (inExpression: boolean): void => {
    let depth = 0;
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') {
        out += c + code[i + 1]; // outside strings, only regex literals have escapes: keep \/ and \{ as they are
        i += 2;
      } else if (c === "'" || c === '"') {
        const end = skipString(code, i);
        out += code.slice(i, end);
        i = end;
      } else if (c === '/' && (code[i + 1] === '/' || code[i + 1] === '*')) {
        const end = code[i + 1] === '/' ? code.indexOf('\n', i) : code.indexOf('*/', i) + 2;
        i = end < i ? code.length : end; // comments are dropped
      } else if (c === '`') {
        const tag = /\b(html|css)\s*$/.exec(out)?.[1];
        out += c;
        i++;
        template(tag);
      } else {
        if (c === '{') depth++;
        if (c === '}' && depth-- === 0 && inExpression) return;
        out += c;
        i++;
      }
    }
  };

  const template = (tag: string | undefined): void => {
    let text = '';
    const flush = (): void => {
      out += tag === 'css' ? squeezeCss(text) : tag === 'html' ? squeezeHtml(text) : text;
      text = '';
    };
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') {
        text += c + code[i + 1];
        i += 2;
      } else if (c === '`') {
        flush();
        out += c;
        i++;
        return;
      } else if (c === '$' && code[i + 1] === '{') {
        flush();
        out += '${';
        i += 2;
        script(true);
        out += '}';
        i++;
      } else {
        text += c;
        i++;
      }
    }
  };

  script(false);
  return out;
};

const skipString = (code: string, start: number): number => {
  let i = start + 1;
  while (i < code.length && code[i] !== code[start]) i += code[i] === '\\' ? 2 : 1;
  return i + 1;
};

// Whitespace between tags and attributes collapses to one space, which renders the same outside <pre>; a line break
// before a tag's `>` goes (not before `/>`: after an unquoted value, or a binding, the `/` would join the value). A plain
// attribute value (letters, digits, `-`, `_`) loses its quotes when a space or the tag's `>` follows. Both read text,
// not tags: a `>` that starts a line of text, or `="word"` written in text or inside another attribute's quotes, would
// be changed too (our templates have neither: text writes `&gt;`).
const squeezeHtml = (text: string): string =>
  text
    .replace(/\s*\n\s*(?=>)/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/="([\w-]+)"(?=[\s>])/g, '=$1');

const squeezeCss = (text: string): string =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .replace(/=(['"])([\w-]+)\1\]/g, '=$2]') // [part='x'] needs no quotes
    .trim();

/** The plugin: applies `minifyTemplates` to the widget's own TypeScript files when building. */
export const minifyTemplatesPlugin = (): Plugin => ({
  name: 'minify-lit-templates',
  apply: 'build',
  enforce: 'pre',
  transform(code, id) {
    if (!/\/widget\/.*\.ts$/.test(id) || !/\b(html|css)`/.test(code)) return null;
    return { code: minifyTemplates(code), map: null };
  },
});
