/**
 * @module represent/_xml
 * A tiny XML writer producing what Rails' Builder produces: no indentation, nil values as self-closing
 * elements, booleans and numbers as text, and the UTF-8 declaration in front.
 */
import { JsonFloat } from './_json.js';

/** An element: name, optional attributes, and text, child elements, or `null` (self-closing). */
export interface XmlElement {
  name: string;
  attributes?: Record<string, string | number | boolean>;
  content: XmlContent;
}

/** Element content; `undefined` is only meaningful in {@link el} (omit the element). */
export type XmlContent = string | number | boolean | null | JsonFloat | XmlElement[];

/** The declaration 3scale puts in front of every XML body. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** An element; returns nothing when `content` is `undefined`, so optional fields can be listed inline. */
export function el(name: string, content: XmlContent | undefined, attributes?: XmlElement['attributes']): XmlElement[] {
  if (content === undefined) return [];
  return [attributes ? { name, attributes, content } : { name, content }];
}

export function renderElement(element: XmlElement): string {
  const attrs = Object.entries(element.attributes ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const { content } = element;
  if (content === null) return `<${element.name}${attrs}/>`;
  let inner: string;
  if (Array.isArray(content)) inner = content.map(renderElement).join('');
  else if (content instanceof JsonFloat)
    inner = Number.isInteger(content.value) ? content.value.toFixed(1) : String(content.value);
  else inner = escapeXml(String(content));
  return `<${element.name}${attrs}>${inner}</${element.name}>`;
}

/** A whole document: declaration plus root element. */
export function xmlDocument(root: XmlElement): string {
  return XML_DECLARATION + renderElement(root);
}
