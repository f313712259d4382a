// Previews made on this machine from an upload's file (`local_preview`): shown by the tray and a
// processing card until BeProduct's own preview exists, and for formats the webview cannot show.
// Answers are kept per job; at most two are made at once, so a 1,000-file drop asks only for the
// rows and cards on screen, a few at a time.
import { api, describeError } from './api.js';

const AT_ONCE = 2;
const KEPT = 300;
const answers = new Map();   // jobId → Promise<{url} | {error}>
const waiting = [];
let running = 0;

/** `{url}` (a data: URL) or `{error}` (why there is no preview) for upload job `jobId`. */
export function localPreview(jobId) {
  if (!jobId) return Promise.resolve({ error: 'No upload.' });
  let answer = answers.get(jobId);
  if (!answer) {
    answer = new Promise((resolve) => { waiting.push({ jobId, resolve }); pump(); });
    answers.set(jobId, answer);
    if (answers.size > KEPT) answers.delete(answers.keys().next().value);
  }
  return answer;
}

function pump() {
  while (running < AT_ONCE && waiting.length) {
    const { jobId, resolve } = waiting.shift();
    running += 1;
    api.localPreview(jobId)
      .then((res) => resolve(typeof res?.url === 'string' && res.url.startsWith('data:image/') ? { url: res.url } : { error: 'No preview.' }),
        (err) => resolve({ error: describeError(err).message || String(err) }))
      .finally(() => { running -= 1; pump(); });
  }
}
