// Widget values ↔ what an input shows. The backend decides each field's widget, whether it is
// editable, its choices and how its value is encoded (beproduct::FieldSpec, sent as
// `image_form`); this module only turns a widget value into text for an input and the user's
// text back into a widget value, saying what is wrong when it does not fit. No DOM here, so
// node can test it (tests/js/widgets.test.mjs).

/** The HTML control a widget is shown with. */
export function controlOf(widget) {
  switch (widget) {
    case 'memo': return 'textarea';
    case 'select': return 'select';
    case 'multiSelect': return 'multiselect';
    case 'tags': case 'users': return 'list';     // comma-separated names, suggestions below
    case 'user': case 'partner': return 'picker'; // a name from a list of suggestions
    case 'bool': return 'checkbox';
    case 'date': return 'date';
    case 'dateTime': return 'datetime';
    case 'integer': case 'decimal': case 'percent': case 'currency': case 'measure': case 'weight':
      return 'number';
    case 'color': case 'readOnly': return 'readonly';
    default: return 'text';  // text, combo (with suggestions) and widgets this page does not know
  }
}

/** A picked user or partner ({value, label}) as shown. */
const labelOf = (picked) => (picked && typeof picked === 'object' ? picked.label || picked.value || '' : String(picked ?? ''));

const pad = (n) => String(n).padStart(2, '0');

/** The text an input shows for a widget value. */
export function toText(field, value) {
  if (value === null || value === undefined) return '';
  switch (field.widget) {
    case 'tags': return Array.isArray(value) ? value.join(', ') : '';
    case 'users': return Array.isArray(value) ? value.map(labelOf).join(', ') : '';
    case 'user': case 'partner': return labelOf(value);
    case 'color': return labelOf(value && { value: value.hex, label: value.label });
    case 'dateTime': {
      // An instant, shown in the user's own time zone.
      const d = new Date(value);
      if (Number.isNaN(d.getTime())) return '';
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
    default: return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

const splitList = (text) => {
  const out = [];
  for (const part of String(text).split(',')) {
    const item = part.trim();
    if (item && !out.includes(item)) out.push(item);
  }
  return out;
};

/** The option a typed name stands for: by label, then by value, case-insensitively. */
export function findOption(options, text) {
  const t = String(text).trim().toLowerCase();
  if (!t) return null;
  return options.find((o) => o.label.toLowerCase() === t) || options.find((o) => o.value.toLowerCase() === t) || null;
}

/**
 * The widget value for what the user typed: `{value}`, or `{error}` saying what to type.
 * `options` are the picker's choices ({value, label}); `current` the value loaded, so a
 * picked name that is no longer offered still reads as itself.
 */
export function fromText(field, text, { options = [], current = null } = {}) {
  const t = String(text ?? '').trim();
  const pick = (name) => {
    const kept = [current].flat().find((c) => c && labelOf(c).toLowerCase() === name.toLowerCase());
    const option = kept ? null : findOption(options, name);
    if (kept) return { value: kept.value, label: kept.label };
    return option ? { value: option.value, label: option.label } : null;
  };
  switch (field.widget) {
    case 'tags': return { value: splitList(t) };
    case 'users': {
      const picked = [];
      for (const name of splitList(t)) {
        const p = pick(name);
        if (!p) return { error: `“${name}” is not in the list; pick names from the suggestions.` };
        if (!picked.some((x) => x.value === p.value)) picked.push(p);
      }
      return { value: picked };
    }
    case 'user': case 'partner': {
      if (!t) return { value: null };
      const p = pick(t);
      return p ? { value: p } : { error: `“${t}” is not in the list; pick one from the suggestions.` };
    }
    case 'integer': {
      if (!t) return { value: null };
      return /^[-+]?\d+$/.test(t) ? { value: Number(t) } : { error: 'Enter a whole number.' };
    }
    case 'decimal': case 'percent': case 'currency': case 'measure': case 'weight': {
      const n = field.widget === 'percent' ? t.replace(/%$/, '').trim() : t;
      if (!n) return { value: null };
      const v = Number(n);
      return Number.isFinite(v) ? { value: v } : { error: 'Enter a number.' };
    }
    case 'date': {
      if (!t) return { value: null };
      return /^\d{4}-\d{2}-\d{2}$/.test(t) ? { value: t } : { error: 'Enter a valid date.' };
    }
    case 'dateTime': {
      if (!t) return { value: null };
      const d = new Date(t);
      return Number.isNaN(d.getTime()) ? { error: 'Enter a valid date and time.' } : { value: d.toISOString().replace(/\.000Z$/, 'Z') };
    }
    default: return { value: String(text ?? '') };
  }
}

/** Whether two widget values are the same (picked users and partners by their value). */
export function sameValue(a, b) {
  const key = (v) => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) && 'value' in x && 'label' in x ? x.value : x));
  return key(a ?? null) === key(b ?? null);
}

/** Whether a widget value is empty (for a required field's check). */
export function isEmpty(value) {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}
