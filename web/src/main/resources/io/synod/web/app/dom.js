// Builds elements; every string child becomes a text node, so user text is never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (id) => document.getElementById(id);

export function show(id, visible) { $(id).hidden = !visible; }

export function timeOf(seconds) {
  if (typeof seconds !== 'number' || !isFinite(seconds)) return '';
  return new Date(seconds * 1000).toLocaleTimeString();
}
