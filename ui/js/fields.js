// Field types: which widget each BeProduct field type gets, and how values are encoded for the
// API (docs: beproduct-api.md §9). Shared by the form and the filter builder.

const TEXT = new Set(['Text', 'ComboBox']);
const INTEGER = new Set(['Number']);
const DECIMAL = new Set(['Decimal', 'Percent', 'Currency', 'Weight', 'Measure']);
const BOOLEAN = new Set(['TrueFalse', 'InvertedTrueFalse']);
const READ_ONLY_TYPES = new Set(['UserLabel', 'FormulaField', 'Auto', 'Hidden']);
const READ_ONLY_IDS = new Set(['version', 'created_by', 'modified_by', 'created_at', 'modified_at']);

/** The widget kind for a schema field: text|memo|select|multi|bool|date|datetime|int|decimal|readonly */
export function widgetKind(field) {
  const type = field.fieldType || field.type || 'Text';
  if (READ_ONLY_IDS.has(field.fieldId) || READ_ONLY_TYPES.has(type) || type.startsWith('Label')) return 'readonly';
  if (field.properties?.ReadOnly === true || field.properties?.readOnly === true) return 'readonly';
  if (TEXT.has(type)) return 'text';
  if (type === 'Memo') return 'memo';
  if (type === 'DropDown') return 'select';
  if (type === 'MultiSelect') return 'multi';
  if (BOOLEAN.has(type)) return 'bool';
  if (type === 'Date') return 'date';
  if (type === 'DateTime') return 'datetime';
  if (INTEGER.has(type)) return 'int';
  if (DECIMAL.has(type)) return 'decimal';
  // Structured types (PartnerDropDown, CompositeControl, Users, ColorDropDown...) are shown,
  // never rewritten, so saving a form cannot damage values this app does not understand.
  return 'readonly';
}

/** Choice values of a DropDown/MultiSelect/ComboBox (objects {value} or plain strings). */
export function choices(field) {
  const raw = field.properties?.Choices ?? field.properties?.choices;
  if (!Array.isArray(raw)) return [];
  return raw.map((c) => (typeof c === 'string' ? c : c?.value ?? c?.text ?? c?.code)).filter((v) => typeof v === 'string' && v !== '');
}

/** Text for showing any value read-only (also used for structured values). */
export function displayValue(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(displayValue).filter(Boolean).join(', ');
  if (typeof value === 'object') {
    if ('value' in value) return displayValue(value.value);
    if ('name' in value) return displayValue(value.name);
    return JSON.stringify(value);
  }
  return String(value);
}

const pad = (n) => String(n).padStart(2, '0');

/** ISO string → 'YYYY-MM-DD' for <input type=date>. Dates are calendar days: no time-zone shift. */
export function isoToDateInput(value) {
  if (typeof value !== 'string') return '';
  const m = value.match(/^(\d{4}-\d{2}-\d{2})/);
  return m ? m[1] : '';
}

/** 'YYYY-MM-DD' → ISO-8601 the API accepts for a Date field. */
export function dateInputToIso(value) {
  return value ? `${value}T00:00:00Z` : null;
}

/** ISO instant → local 'YYYY-MM-DDTHH:MM' for <input type=datetime-local>. */
export function isoToDateTimeInput(value) {
  if (typeof value !== 'string' || !value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local 'YYYY-MM-DDTHH:MM' → UTC ISO-8601 with Z. */
export function dateTimeInputToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function truthy(value) {
  if (typeof value === 'boolean') return value;
  return typeof value === 'string' && ['yes', 'true', '1'].includes(value.trim().toLowerCase());
}

/** Fields a user can filter by (structured types have no sensible single-value filter). */
export function filterable(field) {
  return field.active !== false && (widgetKind(field) !== 'readonly' || field.fieldId === 'version');
}
