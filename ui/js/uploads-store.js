// The uploads store: the page's copy of the upload queue (jobs, totals, pause, interrupted jobs,
// the journal notice) and the one set of images an upload is changing ("busy"), used by the tray,
// the grid and the form. It reduces the backend's `upload://event` batches and tells subscribers
// what changed; it knows nothing of the DOM or of Tauri, so node can test it (tests/js).

/** States in which a job still has work to do. */
export const ACTIVE = new Set(['queued', 'checking', 'creating', 'uploading', 'processing']);
/** States during which the image itself is being changed (card badge, form locked). */
const BUSY_IMAGE = new Set(['creating', 'uploading', 'processing']);

/** The image a job changes: the one it created, or the target of a new version. */
export function imageOf(job) { return job?.imageId || job?.target?.imageId || null; }

function busyImageOf(job) {
  return BUSY_IMAGE.has(job?.state?.kind) ? imageOf(job) : null;
}

/**
 * A change, as subscribers get it:
 *   reset       – everything was replaced (snapshot): redraw all
 *   jobs        – ids of jobs added or changed (progress included)
 *   added       – new jobs arrived (the list's order changed)
 *   removed     – ids of jobs that left the list
 *   finished    – [{job, image}] jobs that just finished, with the image header their event carries
 *   busy        – ids of images whose busy state flipped
 *   serverChanged – the queue's server changed: which jobs wait for their server must be reloaded
 */
function emptyChange() {
  return { reset: false, jobs: new Set(), added: false, removed: [], finished: [], busy: [], serverChanged: false };
}

export function createUploadsStore() {
  const jobs = new Map();          // id → JobSummary, in queue order
  const busyCount = new Map();     // imageId → number of jobs changing it
  const busyOfJob = new Map();     // jobId → imageId it keeps busy
  const listeners = new Set();
  let totals = null;
  let paused = null;               // the reason, while the queue is paused
  let interrupted = [];
  let journalNotice = null;

  /** Moves a job's busy mark to its new state; records images whose busy state flipped. */
  function track(id, job, flipped) {
    const before = busyOfJob.get(id) || null;
    const after = job ? busyImageOf(job) : null;
    if (before === after) return;
    if (before) {
      const n = busyCount.get(before) - 1;
      if (n > 0) busyCount.set(before, n); else { busyCount.delete(before); flipped.add(before); }
      busyOfJob.delete(id);
    }
    if (after) {
      const n = (busyCount.get(after) || 0) + 1;
      busyCount.set(after, n);
      if (n === 1) flipped.add(after);
      busyOfJob.set(id, after);
    }
  }

  function notify(change) {
    for (const fn of listeners) fn(change);
  }

  function applyOne(ev, change, flipped) {
    if (!ev || typeof ev !== 'object') return;
    if (ev.totals) totals = ev.totals;
    switch (ev.type) {
      case 'jobsAdded':
        for (const j of ev.jobs || []) {
          if (!j?.id) continue;
          jobs.set(j.id, j);
          track(j.id, j, flipped);
          change.jobs.add(j.id);
        }
        change.added = true;
        break;
      case 'jobChanged': {
        const j = ev.job;
        if (!j?.id) break;
        if (!jobs.has(j.id)) change.added = true;
        jobs.set(j.id, j);
        track(j.id, j, flipped);
        change.jobs.add(j.id);
        // Set only on the transition to done: the image as the server has it now.
        if (ev.image?.id) change.finished.push({ job: j, image: ev.image });
        break;
      }
      case 'progress': {
        const j = jobs.get(ev.jobId);
        if (!j) break;
        j.bytesSent = ev.bytesSent;
        j.bytesPerSec = ev.bytesPerSec;
        if (ev.bytesTotal) j.size = ev.bytesTotal;
        change.jobs.add(j.id);
        break;
      }
      case 'jobsRemoved':
        for (const id of ev.jobIds || []) {
          if (!jobs.delete(id)) continue;
          track(id, null, flipped);
          change.jobs.delete(id);
          change.removed.push(id);
        }
        interrupted = interrupted.filter((j) => jobs.has(j.id));
        break;
      case 'serverChanged': change.serverChanged = true; break;
      case 'paused': paused = ev.reason || 'BeProduct cannot be reached'; break;
      case 'resumed': paused = null; break;
      default: break;
    }
  }

  return {
    /** Replaces everything with the backend's `upload_jobs` snapshot. */
    load(snapshot) {
      const flipped = new Set(busyCount.keys());
      jobs.clear();
      busyCount.clear();
      busyOfJob.clear();
      for (const j of snapshot?.jobs || []) {
        if (!j?.id) continue;
        jobs.set(j.id, j);
        track(j.id, j, new Set());
      }
      for (const id of busyCount.keys()) {
        if (flipped.has(id)) flipped.delete(id); else flipped.add(id);
      }
      totals = snapshot?.totals || null;
      // The snapshot knows that the queue is paused, not why: keep a reason heard before.
      paused = totals?.paused ? (paused || 'the upload queue is paused') : null;
      interrupted = snapshot?.interrupted || [];
      journalNotice = snapshot?.journalNotice || null;
      notify({ ...emptyChange(), reset: true, jobs: new Set(jobs.keys()), busy: [...flipped] });
    },

    /** Applies one backend batch (an array of queue events) and notifies once. */
    apply(events) {
      if (!Array.isArray(events)) return;
      const change = emptyChange();
      const flipped = new Set();
      for (const ev of events) applyOne(ev, change, flipped);
      change.busy = [...flipped];
      notify(change);
    },

    /** fn(change) after every load/apply; returns the unsubscribe function. */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    jobs: () => jobs,
    job: (id) => jobs.get(id),
    totals: () => totals,
    paused: () => paused,
    interrupted: () => interrupted,
    journalNotice: () => journalNotice,
    /** Whether an upload is changing image `id` (its card shows a badge, its form is locked). */
    isBusy: (id) => busyCount.has(id),
    /** The id of a job keeping image `id` busy (for its local preview), or null. */
    busyJobOf(id) {
      for (const [jobId, imageId] of busyOfJob) if (imageId === id) return jobId;
      return null;
    },
    /** Whether any job still has work to do (interrupted jobs wait for the user). */
    running() {
      for (const j of jobs.values()) {
        if (ACTIVE.has(j.state?.kind) && !j.interrupted) return true;
      }
      return false;
    },
  };
}

/** The page's one uploads store. */
export const uploads = createUploadsStore();

/** A job's server for people: "Acme on api.beproduct.com", or the built-in sandbox. */
export function serverLabel(key) {
  if (!key) return 'its server';
  if (key.startsWith('embedded-sandbox')) return 'the built-in sandbox';
  try {
    const url = new URL(key);
    const company = url.pathname.split('/').filter(Boolean).pop();
    return company ? `${decodeURIComponent(company)} on ${url.host}` : url.host;
  } catch {
    return key;
  }
}

export function formatBytes(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${v.toFixed(0)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(1)} GB`;
}

/** The one-line status of a job's row. */
export function statusText(job) {
  const s = job.state || {};
  if (job.waitingForServer && ACTIVE.has(s.kind)) return `Waiting for ${serverLabel(job.serverKey)}…`;
  switch (s.kind) {
    case 'queued': return job.interrupted ? 'Interrupted' : 'Queued';
    case 'checking': return 'Checking with the server…';
    case 'creating': return 'Creating image…';
    case 'uploading': {
      const pct = job.size ? Math.floor((100 * (job.bytesSent || 0)) / job.size) : 0;
      const rate = job.bytesPerSec ? ` · ${formatBytes(job.bytesPerSec)}/s` : '';
      return `Uploading ${pct}%${rate}`;
    }
    case 'processing': return 'Processing on server';
    case 'done': return 'Done';
    case 'failed': return `Failed: ${s.reason || 'unknown reason'}`;
    case 'cancelled': return 'Cancelled';
    case 'duplicate': return 'Duplicate of a file already sent';
    case 'changed': return 'Changed on disk; not sent';
    case 'mayHaveLanded': return 'May have landed — the server did not answer. Check again, or send again.';
    default: return s.kind || '';
  }
}

/** The actions a job's row offers, in order. */
export function rowActions(job) {
  const kind = job.state?.kind || 'queued';
  const actions = [];
  if (kind === 'mayHaveLanded') actions.push('check-again', 'send-again');
  if (ACTIVE.has(kind) || kind === 'mayHaveLanded') actions.push('cancel');
  // A permanent failure (the server refused the file itself) is not helped by sending it again.
  if ((kind === 'failed' && !job.state.permanent) || kind === 'cancelled' || kind === 'changed') actions.push('retry');
  if (kind === 'duplicate') actions.push('anyway');
  return actions;
}
