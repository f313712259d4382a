// About box (#about-dialog): the app's name and version, read from the app itself; "Open logs
// folder" and "Copy diagnostics" (both done in Rust: src-tauri/src/commands/diagnostics.rs).
import { $ } from './dom.js';
import { api, describeError } from './api.js';

function say(text, tone) {
  const status = $('#about-status');
  status.textContent = text;
  status.className = `dialog-message ${tone}`;
  status.hidden = false;
}

function sayError(err) {
  const { title, message } = describeError(err);
  say(message ? `${title} ${message}` : title, 'error');
}

export function initAbout() {
  $('#about-button').addEventListener('click', async () => {
    const app = window.__TAURI__?.app;
    let text = 'Version unknown';
    try {
      if (app) text = `${await app.getName()} ${await app.getVersion()}`;
    } catch { /* permission or bridge missing: the dialog still opens */ }
    $('#about-version').textContent = text;
    $('#about-status').hidden = true;
    $('#about-dialog').showModal();
  });
  $('#about-diagnostics').addEventListener('click', async () => {
    try {
      await api.copyDiagnostics();
      say('Diagnostics copied. Paste them into your support request.', 'ok');
    } catch (err) {
      sayError(err);
    }
  });
  $('#about-logs').addEventListener('click', async () => {
    try {
      await api.openLogsFolder();
    } catch (err) {
      sayError(err);
    }
  });
}
