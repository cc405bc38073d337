// The one element helper: the DOM is built with textContent, never from HTML strings.

/**
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes] properties; "data-*" keys become dataset
 *   entries, "on*" keys listeners
 * @param {...(Node | string)} children
 * @returns {HTMLElement}
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value == null) continue;
    if (key.startsWith("data-")) node.dataset[key.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

/** A button that names its action for tests and for the click router. */
export function button(action, label, attributes = {}) {
  return element("button", { type: "button", "data-action": action, ...attributes }, label);
}
