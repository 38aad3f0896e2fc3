/**
 * XEP-0004 Data Forms: building 'submit' forms and reading forms defensively. Every field may be missing
 * or malformed on the wire; unknown fields are kept so callers can see what a server returned.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { NS } from './namespaces.js';

export type FieldValue = string | number | boolean | readonly string[];

export interface FormField {
  var: string;
  type?: string;
  values: string[];
  /** For list fields: the values the form offers (XEP-0004 §3.2 <option/>). */
  options?: string[];
}

export interface ParsedForm {
  /** XEP-0068: the hidden FORM_TYPE field's value. */
  formType?: string;
  type?: string;
  fields: Map<string, FormField>;
}

/** XEP-0004 §3.3: booleans are '1'/'0' (also 'true'/'false' when read). */
function toValues(value: FieldValue): string[] {
  if (typeof value === 'boolean') return [value ? '1' : '0'];
  if (typeof value === 'number') return [String(value)];
  if (typeof value === 'string') return [value];
  return [...value];
}

/** A `<x type='submit'>` form with a hidden FORM_TYPE (XEP-0068) and one field per entry. */
export function submitForm(formType: string, fields: Readonly<Record<string, FieldValue>>): Element {
  return xml(
    'x',
    { xmlns: NS.dataForms, type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    ...Object.entries(fields).map(([name, value]) =>
      xml('field', { var: name }, ...toValues(value).map((v) => xml('value', {}, v))),
    ),
  );
}

export function parseForm(x: Element | undefined): ParsedForm {
  const fields = new Map<string, FormField>();
  if (!x || !x.is('x', NS.dataForms)) return { fields };
  let formType: string | undefined;
  for (const field of x.getChildren('field')) {
    const name = field.attrs.var;
    if (!name) continue;
    const values = field.getChildren('value').map((v) => v.text());
    if (name === 'FORM_TYPE') {
      formType = values[0];
      continue;
    }
    const parsed: FormField = { var: name, values };
    if (field.attrs.type) parsed.type = field.attrs.type;
    const options = field.getChildren('option').map((o) => o.getChildText('value')).filter((v): v is string => v !== null);
    if (options.length > 0) parsed.options = options;
    fields.set(name, parsed);
  }
  const result: ParsedForm = { fields };
  if (formType !== undefined) result.formType = formType;
  if (x.attrs.type) result.type = x.attrs.type;
  return result;
}

export function fieldValue(form: ParsedForm, name: string): string | undefined {
  return form.fields.get(name)?.values[0];
}

export function fieldBoolean(form: ParsedForm, name: string): boolean | undefined {
  const value = fieldValue(form, name);
  if (value === undefined) return undefined;
  return value === '1' || value === 'true';
}
