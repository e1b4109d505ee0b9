/**
 * @module The look of `<refund-button>`: neutral by default, themed through `--refund-button-*` and `::part()`.
 * Elements are selected by their part, so what a page can style is exactly what we style.
 */
import { unsafeCSS } from 'lit';

// Lit's css`` tag exists to interpolate other CSSResults safely; these styles are one static literal, and the tag
// would bring its checks and their messages (about 150 bytes gzipped) into a bundle held to a budget.
const css = (text: TemplateStringsArray) => unsafeCSS(text[0]);

export const styles = css`
  :host {
    display: inline-block;
    /* The scheme of the colours below (dark ones under prefers-color-scheme: dark), not the page's: native controls
       (the select, the radios, the scrollbar) are drawn in it. */
    color-scheme: light dark;
    --_accent: var(--refund-button-accent, #2f62e9);
    --_bg: var(--refund-button-bg, #fff);
    --_fg: var(--refund-button-fg, #191f28);
    --_muted: var(--refund-button-muted, #5b6472);
    --_surface: var(--refund-button-surface, #f2f4f6);
    --_border: var(--refund-button-border, #cdd2da);
    --_danger: var(--refund-button-danger, #c42b2b);
    --_success: var(--refund-button-success, #13804a);
    --_radius: var(--refund-button-radius, 10px);
    /* Inherited from the page otherwise (its body's type, an order list's right-aligned cell), by the button and the
       dialog alike. The shorthand resets every font property (style, weight, variant, features, kerning...); its 16px
       is inherited by the inputs: below 16px, iOS zooms the page on focus. Not white-space: a nowrap cell keeps the
       button's label on one line (the dialog sets its own). */
    font: 16px/1.5 var(--refund-button-font, system-ui, sans-serif);
    text-align: start;
    text-indent: 0;
    letter-spacing: normal;
    word-spacing: normal;
    text-transform: none;
  }
  /* The display above would otherwise win over the browser's own [hidden] rule: a page hides it with the attribute. */
  :host([hidden]) {
    display: none;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--refund-button-bg, #1b1d22);
      --_fg: var(--refund-button-fg, #eceef2);
      --_muted: var(--refund-button-muted, #a3aab6);
      --_surface: var(--refund-button-surface, #2a2d34);
      --_border: var(--refund-button-border, #4a505b);
      --_danger: var(--refund-button-danger, #ff7b7b);
      --_success: var(--refund-button-success, #4cd18d);
    }
  }
  * {
    box-sizing: border-box;
    margin: 0;
    padding: 0;
    font: inherit;
    color: inherit;
  }
  button {
    min-height: 44px;
    padding: 0 18px;
    border: 1px solid #0000; /* unseen, but drawn in forced colours (Windows high contrast), where the fill is not */
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_fg);
    font-weight: 600;
    cursor: pointer;
  }
  [part~='button'],
  [part~='submit'] {
    background: var(--_accent);
    color: var(--refund-button-on-accent, #fff);
  }
  button:hover {
    filter: brightness(0.94);
  }
  :disabled,
  [aria-disabled='true'] {
    opacity: 0.5;
    filter: none !important;
    cursor: default;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [tabindex] {
    outline: 0;
  }
  dialog {
    margin: auto; /* how the UA centres a modal dialog; the reset above removed it */
    width: min(calc(100% - 24px), var(--refund-button-width, 440px));
    max-height: calc(100% - 24px);
    border: 1px solid var(--_surface); /* keeps the edge visible on a dark page */
    border-radius: calc(var(--_radius) + 6px);
    background: var(--_bg);
    color: var(--_fg);
    white-space: normal; /* not an order list's nowrap cell's, inherited through the host */
    word-break: keep-all; /* Korean breaks between words, not inside them */
    overflow-wrap: anywhere;
    box-shadow: 0 24px 60px #0004;
    animation: rise 0.2s ease-out;
  }
  dialog::backdrop {
    background: var(--refund-button-backdrop, #11141c80);
  }
  @keyframes rise {
    from {
      opacity: 0;
      transform: translateY(12px);
    }
  }
  [part='header'] {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding: 12px 10px 0 20px;
    font-size: 17px;
    font-weight: 700;
  }
  [part='close-button'] {
    padding: 0 12px;
    background: none;
    color: var(--_muted);
    font-size: 26px;
    font-weight: 400;
  }
  [part='body'] {
    padding: 6px 20px 20px;
  }
  [part='summary'],
  [part='notice'],
  [part='note'] {
    padding: 12px 16px;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  h3,
  strong,
  [part~='label'],
  dl div:last-child {
    font-weight: 700;
  }
  dl div {
    display: flex;
    justify-content: space-between;
    color: var(--_muted);
  }
  dd,
  dl div:last-child {
    color: var(--_fg);
  }
  [part='notice'] {
    margin-top: 14px;
    border-left: 3px solid var(--_danger);
  }
  form,
  fieldset,
  [part='field'] {
    display: grid;
    gap: 6px;
    min-width: 0;
    border: 0;
  }
  form {
    gap: 18px;
    margin-top: 18px;
  }
  fieldset {
    gap: 12px;
  }
  legend {
    margin-bottom: 8px;
  }
  .choices {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 8px;
  }
  [part='choice'],
  [part='input'] {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 46px;
    padding: 0 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  [part='choice']:has(:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  [type='radio'] {
    width: 18px;
    height: 18px;
    accent-color: var(--_accent);
  }
  [part='input'] {
    width: 100%;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  [part='hint'],
  [part='error'] {
    font-size: 14px;
    color: var(--_muted);
  }
  [part='error'] {
    color: var(--_danger);
  }
  @media (forced-colors: active) {
    /* Every text is drawn in one colour there: the error is told from the hint by its weight, not by red. */
    [part='error'] {
      font-weight: 700;
    }
  }
  [part='actions'] {
    display: flex;
    gap: 8px;
    margin-top: 22px;
  }
  form [part='actions'] {
    margin-top: 4px;
  }
  [part='actions'] button {
    flex: 1;
  }
  [part='message'] {
    display: grid;
    justify-items: center;
    gap: 8px;
    padding-top: 20px;
    text-align: center;
    color: var(--_muted);
  }
  [part='heading'] {
    font-size: 18px;
    color: var(--_fg);
  }
  [part='mark'],
  [part='spinner'] {
    display: grid;
    place-items: center;
    width: 44px;
    height: 44px;
    border-radius: 50%;
    background: var(--_success);
    color: var(--_bg);
    font-size: 22px;
    font-weight: 700;
  }
  .bad {
    background: var(--_danger);
  }
  .unknown {
    background: var(--_muted);
  }
  [part='spinner'] {
    border: 4px solid var(--_surface);
    border-top-color: var(--_accent);
    background: none;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  a {
    text-underline-offset: 3px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    dialog {
      animation: none;
    }
    [part='spinner'] {
      border-color: var(--_accent);
      animation: fade 1.2s ease-in-out infinite alternate; /* fades instead of turning */
    }
  }
  @keyframes fade {
    to {
      opacity: 0.3;
    }
  }
`;
