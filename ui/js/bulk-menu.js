// A small drop-down menu for a button (the selection bar's "Apply preset ▸" and "Export ▸",
// the toolbar's "Spreadsheet" and new-upload preset pickers). The items are built each time the
// menu opens, so they always show the current presets / selection. Keyboard: Enter, Space or
// ArrowDown opens; ArrowUp/ArrowDown/Home/End move; Escape or Tab closes; focus returns to
// the button.
import { h } from './dom.js';

let openMenu = null;  // {button, popup, close}

/**
 * attachMenu(button, items, {align: 'left'|'right'}): `items()` returns (or resolves to) a list of
 * {label, onSelect, disabled, checked (radio item when not undefined), note, separator}.
 */
export function attachMenu(button, items, { align = 'left' } = {}) {
  const wrap = h('span', { class: 'menu-wrap' });
  button.replaceWith(wrap);
  const popup = h('div', { class: ['bulk-menu', align === 'right' ? 'menu-right' : ''], hidden: true, attrs: { role: 'menu', 'aria-label': button.getAttribute('aria-label') || button.textContent.replace(/[▸▾]/g, '').trim() } });
  wrap.append(button, popup);
  button.setAttribute('aria-haspopup', 'menu');
  button.setAttribute('aria-expanded', 'false');

  const entries = () => [...popup.querySelectorAll('[role^="menuitem"]:not([aria-disabled="true"])')];

  function close({ focus = true } = {}) {
    if (popup.hidden) return;
    popup.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (openMenu?.popup === popup) openMenu = null;
    document.removeEventListener('mousedown', outside, true);
    if (focus) button.focus();
  }

  function outside(e) {
    if (!wrap.contains(e.target)) close({ focus: false });
  }

  async function open(focusWhich = 'first') {
    if (openMenu && openMenu.popup !== popup) openMenu.close({ focus: false });
    popup.replaceChildren(h('div', { class: 'menu-note', text: 'Loading…' }));
    popup.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    openMenu = { button, popup, close };
    document.addEventListener('mousedown', outside, true);
    let list;
    try {
      list = await items();
    } catch (err) {
      list = [{ note: String(err?.message || err) }];
    }
    if (popup.hidden) return;
    popup.replaceChildren(...(list || []).map((item) => render(item)));
    const all = entries();
    const target = focusWhich === 'last' ? all[all.length - 1] : all[0];
    (target || popup).focus();
  }

  function render(item) {
    if (item.separator) return h('div', { class: 'menu-separator', attrs: { role: 'separator' } });
    if (item.note) return h('div', { class: 'menu-note', text: item.note });
    const radio = item.checked !== undefined;
    return h('button', {
      type: 'button',
      class: ['menu-item', item.checked ? 'checked' : ''],
      tabIndex: -1,
      text: item.label,
      attrs: {
        role: radio ? 'menuitemradio' : 'menuitem',
        'aria-checked': radio ? String(!!item.checked) : null,
        'aria-disabled': item.disabled ? 'true' : null,
        title: item.title || null,
      },
      on: {
        click: () => {
          if (item.disabled) return;
          close();
          item.onSelect?.();
        },
      },
    });
  }

  button.addEventListener('click', () => (popup.hidden ? open() : close()));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      open(e.key === 'ArrowUp' ? 'last' : 'first');
    }
  });
  popup.tabIndex = -1;
  popup.addEventListener('keydown', (e) => {
    const all = entries();
    const i = all.indexOf(document.activeElement);
    const move = (to) => { e.preventDefault(); all[(to + all.length) % all.length]?.focus(); };
    if (e.key === 'ArrowDown') move(i + 1);
    else if (e.key === 'ArrowUp') move(i < 0 ? all.length - 1 : i - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(all.length - 1);
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); }
    else if (e.key === 'Tab') close({ focus: false });
  });
  return { open, close };
}
