// Where new images go, and with which preset values. The presets UI (presets.js) sets
// `uploadPreset` when the user picks a preset for uploads; every place that queues files as new
// images builds its target with `newImageTarget`, so a picked preset reaches drops, "Add files…"
// and "Upload from URL…" alike. The backend checks and encodes the values at enqueue.
import { createStore } from './store.js';

/** null | {folderId, presetId, name, fields: [{id, value}]} (widget values). */
export const uploadPreset = createStore(null);

/** The preset that applies to uploads into `folderId`, or null. */
export function presetFor(folderId, preset = uploadPreset.get()) {
  if (!preset || !folderId || preset.folderId !== folderId) return null;
  return Array.isArray(preset.fields) && preset.fields.length ? preset : null;
}

/** A preset's field operations (`FieldEdit`s: `{fieldId, op, value}`) as the values a new image
 * is created with: 'set' gives its value, 'add' its items (a new image has none yet); 'clear'
 * and 'remove' leave a new image as it is, so they give nothing. For `uploadPreset.fields`. */
export function fieldsFromEdits(edits) {
  const fields = [];
  for (const e of Array.isArray(edits) ? edits : []) {
    if (!e || typeof e.fieldId !== 'string' || !e.fieldId) continue;
    if (e.op === 'set' || e.op === 'add') fields.push({ id: e.fieldId, value: e.value });
  }
  return fields;
}

/** `{kind: 'newImage', folderId, fields?}`: `fields` only when the picked preset is for this
 * folder (a preset's values belong to its folder's schema). */
export function newImageTarget(folderId, preset = uploadPreset.get()) {
  const target = { kind: 'newImage', folderId };
  const applies = presetFor(folderId, preset);
  if (applies) target.fields = applies.fields.map((f) => ({ id: f.id, value: f.value }));
  return target;
}

/** A drop (`app://dropped` payload `{handle, count, names}`) of exactly one spreadsheet
 * (.csv or .xlsx, any case): it is meant for import, not upload (dropzone.js decides). */
export function isSheetDrop(dropped) {
  if (!dropped || dropped.count !== 1 || !Array.isArray(dropped.names) || dropped.names.length !== 1) return false;
  return /\.(csv|xlsx)$/i.test(String(dropped.names[0]));
}
