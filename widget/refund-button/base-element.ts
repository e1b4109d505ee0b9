/**
 * @module The part of LitElement `<refund-button>` uses, on lit-html: properties mirrored from attributes, batched
 * updates and `updateComplete`, rendering into an open shadow root with adopted styles. LitElement's other features
 * (controllers, decorators, hydration, object converters) cost ~2 KB gzipped that the widget's budget cannot spare.
 */
import { render } from 'lit/html.js';

/** How a reactive property relates to its attribute: the part of Lit's `PropertyDeclaration` we use, same meaning. */
export interface PropertyDeclaration {
  /** The attribute's name, or false for none. Default: the property's name in lower case. */
  readonly attribute?: string | false;
  /** `Number`: the attribute is read as a number; `Boolean`: as present or not. Default: the text as it is. */
  readonly type?: NumberConstructor | BooleanConstructor;
  /** Reads the attribute's text (null when removed) instead of `type`. */
  readonly converter?: (value: string | null) => unknown;
  /** Writes each change of the property back to its attribute. */
  readonly reflect?: boolean;
}

/** The properties that changed in an update, with their values before it (undefined before the first update). */
export type PropertyValues = ReadonlyMap<string, unknown>;

/** Style text, tagged `css` so the build's template minifier squeezes it. */
export const css = (strings: TemplateStringsArray): string => strings[0]!;

// One constructed sheet per style text, shared by every element using it.
const sheets = new Map<string, CSSStyleSheet>();

const attributeOf = (name: string, o: PropertyDeclaration): string | false => o.attribute ?? name.toLowerCase();

export abstract class BaseElement extends HTMLElement {
  /** The reactive properties: setting one re-renders (on a microtask, once per batch). */
  static properties: Record<string, PropertyDeclaration>;
  /** The shadow root's style text. */
  static styles: string;

  // Runs once, when the class is defined: the accessors of the reactive properties go on the prototype.
  static get observedAttributes(): string[] {
    return Object.entries(this.properties).flatMap(([name, o]) => {
      Object.defineProperty(this.prototype, name, {
        get(this: BaseElement) {
          return this.#values.get(name);
        },
        set(this: BaseElement, value: unknown) {
          this.#set(name, value, o);
        },
        configurable: true,
      });
      return attributeOf(name, o) || [];
    });
  }

  #values = new Map<string, unknown>();
  #changed = new Map<string, unknown>();
  #reflect = new Set<string>();
  /** The property being copied to or from its attribute, so the copy does not bounce back. */
  #syncing?: string;
  /** Values set on the element before its class was defined, applied on the first update (as Lit does). */
  #early = new Map<string, unknown>();
  #connect!: () => void;
  /** The last scheduled update (the first one waits for the element to be connected). */
  #update: Promise<unknown> = new Promise<void>((resolve) => (this.#connect = resolve));
  #pending = false;

  constructor() {
    super();
    for (const name in (this.constructor as typeof BaseElement).properties) {
      if (Object.hasOwn(this, name)) {
        this.#early.set(name, (this as Record<string, unknown>)[name]);
        delete (this as Record<string, unknown>)[name];
      }
    }
    this.requestUpdate();
  }

  /** Resolves once the element has rendered every change made so far; true unless another update was requested since. */
  get updateComplete(): Promise<boolean> {
    return this.#update as Promise<boolean>; // the constructor replaced the connection promise with an update at once
  }

  connectedCallback(): void {
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: 'open' });
      const { styles } = this.constructor as typeof BaseElement;
      if (root.adoptedStyleSheets) {
        let sheet = sheets.get(styles);
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(styles);
          sheets.set(styles, sheet);
        }
        root.adoptedStyleSheets = [sheet];
      } else {
        // Browsers without constructable style sheets (Safari before 16.4): a <style>, with Lit's CSP nonce if set.
        const style = document.createElement('style');
        style.nonce = (globalThis as { litNonce?: string }).litNonce ?? '';
        style.textContent = styles;
        root.append(style);
      }
    }
    this.#connect();
  }

  /** Nothing to do here; it exists so that subclasses can call `super.disconnectedCallback()`. */
  disconnectedCallback(): void {}

  attributeChangedCallback(attribute: string, _old: string | null, value: string | null): void {
    for (const [name, o] of Object.entries((this.constructor as typeof BaseElement).properties)) {
      if (attributeOf(name, o) !== attribute || this.#syncing === name) continue;
      this.#syncing = name;
      (this as Record<string, unknown>)[name] = o.converter
        ? o.converter(value)
        : o.type === Boolean
          ? value !== null
          : o.type === Number && value !== null
            ? Number(value)
            : value;
      this.#syncing = undefined;
    }
  }

  /** Schedules an update, unless one is already scheduled. */
  requestUpdate(): void {
    if (!this.#pending) {
      this.#pending = true;
      this.#update = this.#enqueue(this.#update);
    }
  }

  /** What to show: called on every update. */
  protected abstract render(): unknown;

  /** Called after each update has been rendered. */
  protected updated(_changed: PropertyValues): void {}

  #set(name: string, value: unknown, o: PropertyDeclaration): void {
    const old = this.#values.get(name);
    if (Object.is(old, value)) return;
    this.#values.set(name, value);
    if (!this.#changed.has(name)) this.#changed.set(name, old);
    if (o.reflect && this.#syncing !== name) this.#reflect.add(name);
    this.requestUpdate();
  }

  async #enqueue(previous: Promise<unknown>): Promise<boolean> {
    try {
      await previous;
    } catch (error) {
      void Promise.reject(error); // reported again (as Lit does), and this update still runs
    }
    const self = this as Record<string, unknown>;
    for (const [name, value] of this.#early) self[name] = value;
    this.#early.clear();
    for (const name of this.#reflect) {
      const value = self[name];
      // Only properties with an attribute reflect, so both lookups find something.
      const attribute = attributeOf(name, (this.constructor as typeof BaseElement).properties[name]!) as string;
      this.#syncing = name;
      if (value == null || value === false) this.removeAttribute(attribute);
      else this.setAttribute(attribute, value === true ? '' : String(value));
      this.#syncing = undefined;
    }
    const changed = this.#changed;
    this.#reflect.clear();
    this.#changed = new Map();
    this.#pending = false; // from here on, a change (say in updated()) schedules the next update
    render(this.render(), this.shadowRoot!, { host: this });
    this.updated(changed);
    return !this.#pending;
  }
}
