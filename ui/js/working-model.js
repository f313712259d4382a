// Pure view logic for Open in editor, the working copies and an image's files: what each
// state reads as, which copies get a banner, progress and file lines. No DOM, unit-tested.

/** Bytes as people read them: "820 KB", "3.4 MB". */
export function formatBytes(n) {
  if (n == null || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** The state line of a copy in the working copies list. */
export function stateText(copy) {
  const sent = copy.versionsSent > 0 ? ` · ${copy.versionsSent} ${copy.versionsSent === 1 ? 'version' : 'versions'} sent` : '';
  switch (copy.state) {
    case 'unchanged': return `Unchanged since ${copy.versionsSent > 0 ? 'the last upload' : 'it was opened'}${sent}`;
    case 'edited': return `Saved in the editor, not uploaded${copy.lastError ? ` (last upload: ${copy.lastError})` : ''}${sent}`;
    case 'declined': return `Edited, kept on this computer (not uploaded)${sent}`;
    case 'uploading': return copy.lastError ? `Upload waiting: ${copy.lastError}` : 'Uploading as a new version…';
    case 'missing': return 'The file is no longer on this computer';
    default: return copy.state;
  }
}

/** Copies that get a banner: saved in the editor and not yet answered, newest save first. */
export function bannerCopies(copies) {
  return copies
    .filter((c) => c.state === 'edited')
    .sort((a, b) => b.updatedAtMs - a.updatedAtMs);
}

/** Title and notes of a banner (`banner`: the working_copy_banner answer, may be null while it
 * loads). `serverChanged` is also true once an upload was held back for it. */
export function bannerText(copy, banner, { serverChanged = false } = {}) {
  const title = `${copy.fileName} was saved in your editor.`;
  const notes = [];
  const changed = serverChanged || banner?.serverChanged;
  if (changed) {
    const version = banner?.serverVersion ? ` (now version ${banner.serverVersion})` : '';
    const base = copy.baseVersion ? ` version ${copy.baseVersion}` : ' the version you opened';
    notes.push(`Someone uploaded a newer file to ${copy.imageNumber}${version} since you opened${base}. Uploading yours makes it the current one.`);
  }
  if (banner?.serverProblem) notes.push(`BeProduct could not be asked for the current file: ${banner.serverProblem}`);
  if (copy.lastError) notes.push(`The last upload did not land: ${copy.lastError}`);
  if (banner && !banner.after && banner.afterProblem) notes.push(`No preview of the edited file: ${banner.afterProblem}`);
  return { title, notes, uploadLabel: changed ? 'Upload anyway as new version' : 'Upload as new version', warn: Boolean(changed) };
}

const ACTIONS = { open: 'Downloading the original', save: 'Saving', copy: 'Copying', view: 'Downloading' };

/** "Downloading the original… 42% (1.2 MB of 2.9 MB)" for a `working://progress` payload. */
export function progressText({ action, done, total }) {
  const what = ACTIONS[action] || 'Downloading';
  if (total && total > 0) {
    const pct = Math.min(100, Math.floor((done / total) * 100));
    return `${what}… ${pct}% (${formatBytes(done)} of ${formatBytes(total)})`;
  }
  return `${what}… ${formatBytes(done)}`;
}

/** The line of one file in the Versions list. */
export function fileLabel(file) {
  const parts = [`Version ${file.number}`];
  if (file.current) parts.push('current');
  if (file.createdAt) {
    const when = new Date(file.createdAt);
    if (!Number.isNaN(when.getTime())) parts.push(when.toLocaleString());
  }
  if (file.size != null) parts.push(formatBytes(file.size));
  return parts.join(' · ');
}

/** The note under the Versions list: what the API did not give. */
export function filesNote(answer) {
  if (!answer.files.length) return 'No file yet: BeProduct lists the files once an upload is processed.';
  return answer.hasDetails ? '' : 'BeProduct lists each upload’s file without its date or size.';
}

/** Newest first, as the list shows them. */
export function filesNewestFirst(files) {
  return [...files].sort((a, b) => b.number - a.number);
}
