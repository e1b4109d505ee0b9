/** @module Which language the widget speaks: its own `lang`, the nearest one above it, then the browser's. */
import type { Lang } from './strings.ts';

/** `own`, else the nearest `lang` above `parent` (across shadow roots), then the browser's; `ko` if none fits. */
export const langOf = (own: string, parent: Node | null): Lang => {
  let tag: string | null = own;
  let node = parent;
  while (node && !tag) {
    tag = node instanceof Element ? node.getAttribute('lang') : null;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  for (const t of [tag ?? '', ...navigator.languages]) {
    const primary = t.slice(0, 2).toLowerCase();
    if (primary === 'ko' || primary === 'en') return primary;
  }
  return 'ko';
};
