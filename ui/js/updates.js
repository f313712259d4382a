// Updates in the About box: "Check for updates" → "Version X is available — what's new", Download
// (with progress; Rust verifies the signature), "Restart to install". The check when the page
// starts shows a toast pointing here when a newer version is found. All the work is in src-tauri/src/updates.rs.
import { $ } from './dom.js';
import { api, describeError, listen } from './api.js';
import { showToast } from './toast.js';

function show(selector, visible) { $(selector).hidden = !visible; }

function status(text, tone = 'info') {
  show('#update-panel', true);
  $('#update-status').textContent = text;
  $('#update-status').className = `dialog-message ${tone}`;
}

function errorText(err) {
  const { title, message } = describeError(err);
  return message ? `${title} ${message}` : title;
}

function offer(info) {
  if (!info.available) {
    status(`BeProduct Images ${info.currentVersion} is up to date.`, 'ok');
    show('#update-notes', false);
    show('#update-download', false);
    return;
  }
  status(`Version ${info.version} is available — what's new:`, 'info');
  $('#update-notes').textContent = info.notes || 'No release notes.';
  show('#update-notes', true);
  show('#update-download', true);
  show('#update-install', false);
}

async function check() {
  status('Checking for updates…');
  try {
    offer(await api.checkForUpdate());
  } catch (err) {
    status(errorText(err), 'error');
  }
}

async function download() {
  const bar = $('#update-progress');
  bar.value = 0;
  show('#update-progress', true);
  $('#update-download').disabled = true;
  status('Downloading the update…');
  try {
    const { version } = await api.downloadUpdate();
    status(`Version ${version} is downloaded and its signature verified. It installs when the app restarts.`, 'ok');
    show('#update-download', false);
    show('#update-install', true);
  } catch (err) {
    status(errorText(err), 'error');
  } finally {
    $('#update-download').disabled = false;
    show('#update-progress', false);
  }
}

async function install() {
  status('Installing and restarting…');
  try {
    await api.installUpdate();
  } catch (err) {
    status(errorText(err), 'error');
  }
}

export function initUpdates() {
  $('#update-check').addEventListener('click', check);
  $('#update-download').addEventListener('click', download);
  $('#update-install').addEventListener('click', install);
  listen('update://progress', ({ payload: { downloaded, total } }) => {
    const bar = $('#update-progress');
    if (total) { bar.max = total; bar.value = downloaded; } else { bar.removeAttribute('value'); }
  });
  checkAtStart();
}

/** The check on start: silent unless a newer version is found (or the check fails: logged in Rust). */
async function checkAtStart() {
  try {
    const info = await api.checkForUpdate();
    if (!info.available) return;
    offer(info);
    showToast(`Version ${info.version} is available. Open About (i) to download it.`, { timeout: 15000 });
  } catch { /* offline or no release yet: About → Check for updates says why */ }
}
