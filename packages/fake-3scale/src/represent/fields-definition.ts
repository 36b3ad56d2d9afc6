/**
 * @module represent/fields-definition
 * A custom field definition: id, target, name, label, the required/hidden/read-only flags, choices and
 * position (porta stores it as `pos`).
 */
import type { FieldsDefinitionRecord } from '../tenant/records.js';
import { formatTime } from './_json.js';
import { el } from './_xml.js';
import type { Rendered } from './representation.js';

export function renderFieldsDefinition(definition: FieldsDefinitionRecord): Rendered {
  return {
    json: {
      id: definition.id,
      target: definition.target,
      name: definition.name,
      label: definition.label,
      required: definition.required,
      hidden: definition.hidden,
      read_only: definition.readOnly,
      choices: definition.choices,
      position: definition.position,
      created_at: formatTime(definition.createdAt),
      updated_at: formatTime(definition.updatedAt),
    },
    xml: {
      name: 'fields_definition',
      content: [
        ...el('id', definition.id),
        ...el('target', definition.target),
        ...el('name', definition.name),
        ...el('label', definition.label),
        ...el('required', definition.required),
        ...el('hidden', definition.hidden),
        ...el('read_only', definition.readOnly),
        ...el('position', definition.position),
        ...el(
          'choices',
          definition.choices.flatMap((c) => el('choice', c)),
        ),
      ],
    },
  };
}
