// Connection: the mode badge in the top bar and the "Connect to BeProduct" dialog.
// Secrets travel UI → Rust only and are wiped from the inputs as soon as they are used.
import { h, $, replaceChildren } from './dom.js';
import { api, describeError, listen } from './api.js';
import { state } from './state.js';
import { showToast } from './toast.js';

let onConnectionChanged = () => {};
let working = false;

export function initConnect(changed) {
  onConnectionChanged = changed;
  const dialog = $('#connect-dialog');
  $('#connect-button').addEventListener('click', openConnect);
  $('#connect-close').addEventListener('click', closeConnect);
  dialog.addEventListener('close', wipeSecrets);
  $('#connect-test').addEventListener('click', () => run('test'));
  $('#connect-form').addEventListener('submit', (e) => { e.preventDefault(); run('save'); });
  $('#connect-sandbox').addEventListener('click', () => run('sandbox'));
  $('#connect-signout').addEventListener('click', () => run('signout'));
  $('#connect-account').addEventListener('click', () => run('account'));
  // Problems the backend meets on its own (e.g. a renewed sign-in it could not save to the
  // keychain): shown until dismissed; the message says what to do.
  listen('app://warning', (e) => {
    const message = typeof e.payload?.message === 'string' ? e.payload.message : '';
    if (message) showToast(message, { error: true, details: `kind: ${e.payload?.kind || 'warning'}` });
  });
}

export async function loadConnection() {
  try {
    state.connection = await api.connectionStatus();
  } catch (err) {
    state.connection = null;
    const d = describeError(err);
    renderBadge();
    $('#mode-badge').title = d.title;
    return null;
  }
  renderBadge();
  return state.connection;
}

function renderBadge() {
  const c = state.connection;
  const badge = $('#mode-badge');
  badge.classList.remove('sandbox', 'account', 'unknown');
  if (!c) {
    badge.classList.add('unknown');
    badge.textContent = 'Not connected';
    return;
  }
  if (c.mode === 'sandbox') {
    badge.classList.add('sandbox');
    badge.textContent = 'Sandbox — not connected to BeProduct';
    badge.title = 'You are looking at a local demo library. Nothing here reaches BeProduct.';
  } else {
    badge.classList.add('account');
    badge.textContent = c.company || 'BeProduct';
    badge.title = c.mode === 'env' ? `Connected to ${c.company} (credentials from the environment)` : `Connected to ${c.company}`;
  }
  $('#connect-button').textContent = c.mode === 'sandbox' ? 'Connect to BeProduct…' : 'Connection…';
}

function openConnect() {
  const c = state.connection;
  const dialog = $('#connect-dialog');
  setMessage(null);
  const f = $('#connect-form');
  if (c && c.mode !== 'sandbox' && !f.companyDomain.value) f.companyDomain.value = c.company || '';
  const kc = c?.keychain;
  const warn = $('#keychain-warning');
  warn.hidden = !kc || kc.available !== false;
  warn.textContent = kc && kc.available === false
    ? `The system keychain is not available, so credentials cannot be saved: ${kc.message || 'no reason given'}` : '';
  $('#connect-save').disabled = !!kc && kc.available === false;
  $('#connect-signout').hidden = !c?.hasSavedAccount;
  $('#connect-account').hidden = !(c?.hasSavedAccount && c.mode === 'sandbox');
  $('#connect-sandbox').hidden = c?.mode === 'sandbox';
  $('#connect-current').textContent = !c ? '' : c.mode === 'sandbox'
    ? 'Now using the local sandbox.' : `Now connected to ${c.company}${c.mode === 'env' ? ' (from environment variables)' : ''}.`;
  dialog.showModal();
  f.companyDomain.focus();
}

function closeConnect() {
  const dialog = $('#connect-dialog');
  if (dialog.open) dialog.close();
}

function wipeSecrets() {
  const f = $('#connect-form');
  f.clientSecret.value = '';
  f.refreshToken.value = '';
}

function readCreds() {
  const f = $('#connect-form');
  const creds = {
    companyDomain: f.companyDomain.value.trim(),
    clientId: f.clientId.value.trim(),
    clientSecret: f.clientSecret.value,
    refreshToken: f.refreshToken.value.trim(),
  };
  const apiUrl = f.apiUrl.value.trim();
  const tokenUrl = f.tokenUrl.value.trim();
  if (apiUrl) creds.apiUrl = apiUrl;
  if (tokenUrl) creds.tokenUrl = tokenUrl;
  const missing = [['companyDomain', 'company domain'], ['clientId', 'client ID'], ['clientSecret', 'client secret'], ['refreshToken', 'refresh token']]
    .filter(([k]) => !creds[k]).map(([, label]) => label);
  return { creds, missing };
}

function setMessage(text, kind = 'error', details = null) {
  const box = $('#connect-message');
  if (!text) { box.hidden = true; box.replaceChildren(); return; }
  box.hidden = false;
  box.className = `dialog-message ${kind}`;
  const pre = details ? h('pre', { class: 'toast-details', hidden: true, text: details }) : null;
  replaceChildren(box, h('span', { text }), pre ? h('button', {
    type: 'button', class: 'link-button', text: 'Details', on: { click: () => { pre.hidden = !pre.hidden; } },
  }) : null, pre);
}

function setWorking(on) {
  working = on;
  $('#connect-dialog').classList.toggle('is-busy', on);
  for (const b of $('#connect-dialog').querySelectorAll('button')) if (b.id !== 'connect-close') b.disabled = on;
  if (!on) $('#connect-save').disabled = state.connection?.keychain?.available === false;
}

async function run(action) {
  if (working) return;
  let creds = null;
  if (action === 'test' || action === 'save') {
    const read = readCreds();
    if (read.missing.length) { setMessage(`Please fill in: ${read.missing.join(', ')}.`); return; }
    creds = read.creds;
  }
  setWorking(true);
  setMessage(action === 'test' ? 'Testing…' : 'Working…', 'info');
  try {
    if (action === 'test') {
      const res = await api.testConnection(creds);
      setMessage(`It works: ${res?.folderCount ?? 0} image folder${res?.folderCount === 1 ? '' : 's'} found.`, 'ok');
      return;
    }
    const status = action === 'save' ? await api.saveCredentials(creds)
      : action === 'sandbox' ? await api.useSandbox()
        : action === 'account' ? await api.useAccount() : await api.signOut();
    state.connection = status;
    renderBadge();
    wipeSecrets();
    closeConnect();
    showToast(status?.mode === 'sandbox' ? 'Now using the local sandbox.' : `Connected to ${status?.company}.`);
    onConnectionChanged();
  } catch (err) {
    const d = describeError(err);
    setMessage([d.title, d.message].filter(Boolean).join(' '), 'error', `kind: ${d.kind}${d.detail ? `\ndetail: ${typeof d.detail === 'string' ? d.detail : JSON.stringify(d.detail)}` : ''}`);
  } finally {
    setWorking(false);
    if (action === 'save') wipeSecrets();
  }
}
