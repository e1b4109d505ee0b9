/** @module The shop's contact (the `contact` attribute) as a link: `tel:`, `mailto:` or an https URL, else plain text. */
import { html, nothing, type TemplateResult } from 'lit';

/** Where a contact links to: `tel:` with its digits, `mailto:`, an https URL as given; undefined for anything else. */
export const contactHref = (contact: string): string | undefined =>
  /^\+?[\d -]{7,}$/.test(contact)
    ? `tel:${contact.replace(/[ -]/g, '')}`
    : /^[^\s@:]+@[^\s@]+$/.test(contact)
      ? `mailto:${contact}`
      : /^https:\/\//i.test(contact) // never another scheme: a javascript: or data: "contact" stays text
        ? contact
        : undefined;

/** The contact as a link (or as text when it is not a phone number, an email or an https URL); nothing when absent. */
export const contactLink = (contact: string | undefined): TemplateResult | typeof nothing => {
  const text = contact?.trim();
  if (!text) return nothing;
  const href = contactHref(text);
  return href ? html`<a part="link" href=${href}>${text}</a>` : html`${text}`;
};
