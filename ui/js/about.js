// About box (#about-dialog): the app's name and version, read from the app itself.
import { $ } from './dom.js';

export function initAbout() {
  $('#about-button').addEventListener('click', async () => {
    const app = window.__TAURI__?.app;
    let text = 'Version unknown';
    try {
      if (app) text = `${await app.getName()} ${await app.getVersion()}`;
    } catch { /* permission or bridge missing: the dialog still opens */ }
    $('#about-version').textContent = text;
    $('#about-dialog').showModal();
  });
}
