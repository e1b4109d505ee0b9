/** @module `<refund-desk>`'s styles: colours and fonts from custom properties, one column from 360 px up. */
import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--refund-desk-accent, #0f62fe);
    --_on-accent: var(--refund-desk-on-accent, #fff);
    --_bg: var(--refund-desk-bg, #fff);
    --_fg: var(--refund-desk-fg, #1a1a1a);
    --_muted: var(--refund-desk-muted, #555);
    --_surface: var(--refund-desk-surface, #f3f4f6);
    --_border: var(--refund-desk-border, #767676);
    --_danger: var(--refund-desk-danger, #b3261e);
    --_radius: var(--refund-desk-radius, 6px);
    display: block;
    box-sizing: border-box;
    max-width: 100%;
    color: var(--_fg);
    background: var(--_bg);
    /* Inherited from the admin page otherwise (its body's type): the shorthand resets every font property (style,
       weight, variant, features...), and the spacing, capitals, indent and wrapping are the console's own too. */
    font: 15px/1.5 var(--refund-desk-font, system-ui, -apple-system, 'Noto Sans KR', sans-serif);
    letter-spacing: normal;
    word-spacing: normal;
    text-transform: none;
    text-indent: 0;
    white-space: normal;
    overflow-wrap: anywhere;
    /* The scheme of these colours (the dark ones under prefers-color-scheme: dark), not the page's: native controls
       (the date fields' calendar button, the selects, the scrollbars) are drawn in it. */
    color-scheme: light dark;
    text-align: start; /* not the admin page's (a centred layout): inherited through the host otherwise */
  }
  /* The display above would otherwise win over the browser's own [hidden] rule: a page hides it with the attribute. */
  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  nav {
    display: flex;
    gap: 4px;
    border-bottom: 1px solid var(--_border);
    margin-bottom: 12px;
  }
  nav button {
    border: 0;
    border-bottom: 3px solid transparent;
    border-radius: 0;
    background: none;
  }
  nav button[aria-current='page'] {
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }
  @media (forced-colors: active) {
    /* Every border takes the text colour there, the other tabs' transparent one too: the current tab's line is drawn
       in Highlight, and the others' in the background's colour, unseen. */
    nav button {
      border-bottom-color: Canvas;
    }
    nav button[aria-current='page'] {
      border-bottom-color: Highlight;
    }
  }
  h1 {
    font-size: 1.2em;
    margin: 0 0 8px;
  }
  h2 {
    font-size: 1.1em;
    margin: 8px 0;
  }
  h3 {
    font-size: 1em;
    margin: 16px 0 4px;
  }
  button {
    font: inherit;
    min-height: 40px;
    padding: 6px 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_fg);
    cursor: pointer;
  }
  button[part~='submit'] {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: default;
  }
  button.link {
    min-height: 0;
    padding: 0;
    border: 0;
    background: none;
    color: var(--_accent);
    text-decoration: underline;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  /* A heading or row focused by script (tabindex -1) so a screen reader follows the move: nothing there to operate. */
  [tabindex='-1'] {
    outline: 0;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 6px 8px;
    min-height: 40px;
    max-width: 100%;
  }
  textarea {
    width: 100%;
    min-height: 4em;
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: end;
    margin-bottom: 8px;
  }
  .filters label {
    display: flex;
    flex-direction: column;
    flex: 1 1 140px;
    min-width: 0;
  }
  [part~='label'] {
    font-size: 0.9em;
    color: var(--_muted);
  }
  .list {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: center;
    padding: 10px 0;
    border-bottom: 1px solid var(--_surface);
  }
  .row .main {
    flex: 1 1 100%;
  }
  .row .reason {
    flex: 1 1 100%;
    color: var(--_muted);
  }
  .status {
    display: inline-block;
    padding: 0 6px;
    border-radius: var(--_radius);
    background: var(--_surface);
    font-size: 0.85em;
  }
  .age,
  [part~='note'],
  [part~='hint'] {
    color: var(--_muted);
  }
  .summary {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 2px 12px;
    padding: 8px 12px;
    background: var(--_surface);
    border-radius: var(--_radius);
  }
  .summary dd {
    margin: 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin: 12px 0;
  }
  form label[for],
  .check {
    display: block;
    margin-top: 8px;
  }
  .error {
    color: var(--_danger);
    min-height: 0;
    margin: 4px 0;
  }
  .error:empty {
    display: none;
  }
  .deliveries {
    flex: 1 1 100%;
    margin: 0;
    padding-left: 1.2em;
    font-size: 0.9em;
    color: var(--_muted);
  }
  .more,
  .export {
    margin: 8px 0;
  }
  [role='status'] {
    min-height: 1.5em;
    font-weight: 600;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--refund-desk-bg, #1b1b1f);
      --_fg: var(--refund-desk-fg, #eee);
      --_muted: var(--refund-desk-muted, #bbb);
      --_surface: var(--refund-desk-surface, #2b2b31);
      --_border: var(--refund-desk-border, #8a8a8a);
      --_accent: var(--refund-desk-accent, #78a9ff);
      --_on-accent: var(--refund-desk-on-accent, #0b0b0b);
      --_danger: var(--refund-desk-danger, #ff8a80);
    }
  }
`;
