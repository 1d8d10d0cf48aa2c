// Building the DOM node by node: text always goes in as text, so nothing
// from the API can become markup (the page's Trusted Types policy forbids
// markup from strings anyway).

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'value' || k === 'checked' || k === 'selected') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

// h('button', {type: 'button', onClick: fn}, 'Save') makes an element.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// mount replaces el's children.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldSeq = 0;

// field is a labelled form control; hint and error are tied to it with
// aria-describedby.
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const parts = [h('label', { for: id }, label), control];
  if (hint) {
    const hid = `${id}-hint`;
    parts.push(h('p', { class: 'hint', id: hid }, hint));
    control.setAttribute('aria-describedby', hid);
  }
  return h('div', { class: 'field' }, parts);
}

// select makes a <select> from [value, label] pairs.
export function select(attrs, options, current) {
  return h('select', attrs, options.map(([v, label]) => h('option', { value: v, selected: v === current }, label)));
}

// formValues reads a form's named controls; checkboxes sharing a name give
// an array of the checked values.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      if (form.querySelectorAll(`input[type=checkbox][name="${el.name}"]`).length > 1) {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else {
        out[el.name] = el.checked;
      }
    } else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else {
      out[el.name] = el.value;
    }
  }
  return out;
}

// errorBox shows what the API said was wrong, field by field, and marks the
// controls it names as invalid. It is focused so screen readers read it.
export function showError(box, err, form) {
  const items = (err.fields || []).map((f) => h('li', {}, `${f.field}: ${f.message}`));
  mount(box, h('p', {}, err.message), items.length ? h('ul', {}, items) : null);
  box.hidden = false;
  if (form) {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const f of err.fields || []) {
      const el = form.elements.namedItem(f.field.replace(/^body\./, ''));
      if (el && el.setAttribute) el.setAttribute('aria-invalid', 'true');
    }
  }
  box.focus();
}

export function errorBox() {
  return h('div', { class: 'error-box', role: 'alert', tabindex: '-1', hidden: true });
}

// busy disables a form's submit button while work runs, so a double tap
// does not send twice.
export async function busy(form, work) {
  const buttons = form.querySelectorAll('button');
  for (const b of buttons) b.disabled = true;
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

let toastTimer;

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

// safely runs an event handler and tells the user when it fails, instead of
// leaving the failure in the console.
export function safely(fn) {
  return async (e) => {
    try {
      await fn(e);
    } catch (err) {
      toast(err.message || String(err));
    }
  };
}
