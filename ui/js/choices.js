// Options of pickers the schema does not list (users, partners, tags in use), asked once per
// connection: the form, the filter builder and the tag box share them. The backend caches
// them too; this only saves the IPC round trips while a folder is browsed.
import { api } from './api.js';

const bySource = new Map();

/** A promise of [{value, label, detail?}] for 'users', 'partners' or 'tags'. */
export function choicesFrom(source) {
  if (!bySource.has(source)) {
    bySource.set(source, api.fieldChoices(source).catch((err) => {
      bySource.delete(source);  // asked again next time
      throw err;
    }));
  }
  return bySource.get(source);
}

/** Forgets every list (another account; tags were added). */
export function forgetChoices(source) {
  if (source) bySource.delete(source); else bySource.clear();
}
